import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { HISTORIES_DIR } from '../support/packs';
import { quietTemporalRuntime, workflowBundle } from '../support/stack';

// Histories of real pack workflows, recorded from the scenario tests (RECORD_HISTORIES=1, see README). Replaying
// them with today's workflow code proves a change does not break packs already running: if this fails, the change
// needs `patched()` (or the histories were recorded from code that never ran in production: refresh them).
// Older generations stay in sub-folders (named after the change that followed them): packs started under that code
// may still be running, and must replay too.
const SCENARIOS = [
  'confirm-and-decline',
  'dst-march-cancellations',
  'expired-with-warnings',
  'no-show-then-waiver',
  'request-unanswered',
  'reschedule-free-then-late',
  'retried-activities',
  'used-up-closed',
  'withdrawal-day-13',
];
/** Scenarios recorded since dated payments and refund due dates (issue 13): their paths exist from that generation on. */
const DATED_SCENARIOS = ['refund-reminded', 'transfer-dated-before-deadline', 'withdrawal-recorded-day-16'];
/** Scenarios recorded since invoices and credit notes (issue 14). */
const INVOICE_SCENARIOS = ['invoice-on-payment', 'credit-note-on-withdrawal', 'goodwill-then-withdrawal'];
/**
 * Each generation's folder and its files: the scenarios (and those added with it), and as many runs of the
 * continue-as-new one as it made.
 */
const GENERATIONS: Record<string, { continueAsNewRuns: number; added?: string[] }> = {
  '': { continueAsNewRuns: 2, added: [...DATED_SCENARIOS, ...INVOICE_SCENARIOS] },
  'before-invoices': { continueAsNewRuns: 2, added: DATED_SCENARIOS },
  'before-dated-payments': { continueAsNewRuns: 2 },
  'before-start-search-attributes-kept': { continueAsNewRuns: 2 },
  'before-local-recording': { continueAsNewRuns: 3 },
  'before-benchmark-tuning': { continueAsNewRuns: 4 },
};
const expected = Object.entries(GENERATIONS).flatMap(([folder, { continueAsNewRuns, added = [] }]) =>
  [
    ...[...SCENARIOS, ...added].map((s) => `${s}.history.pb`),
    ...Array.from({ length: continueAsNewRuns }, (_, i) => `continue-as-new.run${i + 1}.history.pb`),
  ].map((f) => path.join(folder, f)),
);

describe('replay of recorded pack histories', () => {
  beforeAll(() => quietTemporalRuntime());

  test('every generation of histories is committed, each with its expected files, and no history is left out of the list', () => {
    const onDisk = (fs.readdirSync(HISTORIES_DIR, { recursive: true }) as string[]).filter((f) => f.endsWith('.history.pb'));
    expect(onDisk.sort()).toEqual([...expected].sort());
  });

  test.each(expected)('%s replays deterministically with the current workflow code', async (file) => {
    const history = temporal.api.history.v1.History.decode(fs.readFileSync(path.join(HISTORIES_DIR, file)));
    await Worker.runReplayHistory({ workflowBundle: workflowBundle() }, history, `replay-${file}`);
  });
});
