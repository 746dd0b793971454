/**
 * The worker's log of Temporal's own entries (src/worker/main.ts): a business refusal — a reservation refused with
 * SLOT_UNAVAILABLE or TOO_SOON, any non-retryable ApplicationFailure whose type is one of the API's codes — is a
 * normal outcome, logged as one info line with its code; a real failure stays a warning with its stack.
 */
import { ApplicationFailure } from '@temporalio/common';
import { createLogger } from '../../src/infra/log';
import { temporalLogger } from '../../src/worker/main';

function worker() {
  const lines: string[] = [];
  const logger = temporalLogger(
    createLogger('worker', 'info', (l) => lines.push(l)),
    'info',
  );
  return { logger, entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const activity = { activityType: 'reserveSlot', activityId: '7', workflowId: 'pack-1', taskQueue: 'packs', durationMs: 4 };

describe('Temporal’s log entries in the worker', () => {
  test.each(['SLOT_UNAVAILABLE', 'TOO_SOON'])('a reservation refused with %s is an info line with its code and no stack', (code) => {
    const { logger, entries } = worker();
    const error = ApplicationFailure.create({ type: code, message: 'Ce créneau n’est plus disponible.', nonRetryable: true });
    logger.warn('Activity failed', { ...activity, error });
    expect(entries()).toEqual([expect.objectContaining({ level: 'info', code, activityType: 'reserveSlot', workflowId: 'pack-1' })]);
    expect(JSON.stringify(entries())).not.toMatch(/stack|at .*\.ts:\d+/);
  });

  test('a real failure (the database unreachable) stays a warning with its stack', () => {
    const { logger, entries } = worker();
    logger.warn('Activity failed', { ...activity, error: new Error('connect ECONNREFUSED 127.0.0.1:5432') });
    const [entry] = entries();
    expect(entry).toMatchObject({ level: 'warn', message: 'Activity failed', error: { message: 'connect ECONNREFUSED 127.0.0.1:5432' } });
    expect((entry.error as { stack?: string }).stack).toContain('Error: connect ECONNREFUSED');
  });

  test('a retryable ApplicationFailure, or one whose type is not an API code, is not a refusal', () => {
    const { logger, entries } = worker();
    logger.warn('Activity failed', { ...activity, error: ApplicationFailure.create({ type: 'SLOT_UNAVAILABLE', nonRetryable: false }) });
    logger.warn('Activity failed', { ...activity, error: ApplicationFailure.create({ type: 'StripeError', nonRetryable: true }) });
    expect(entries().map((e) => e.level)).toEqual(['warn', 'warn']);
  });

  test('below the configured level nothing is written', () => {
    const lines: string[] = [];
    const logger = temporalLogger(
      createLogger('worker', 'warn', (l) => lines.push(l)),
      'warn',
    );
    logger.info('Worker state changed', { state: 'RUNNING' });
    logger.warn('Activity failed', { ...activity, error: ApplicationFailure.create({ type: 'TOO_SOON', nonRetryable: true }) });
    expect(lines).toEqual([]);
  });
});
