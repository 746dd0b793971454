import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';
import { createLogger, type Level, type Logger } from '../infra/log';
import { ClientEncryptionCodec, ClientKeyStore } from '../infra/codec';
import { createActivities } from '../activities';
import { loadConfig, ConfigError } from '../infra/config';
import { closePrisma, createPrisma } from '../infra/database';
import { createMailer } from '../infra/mailer';
import { createStripe } from '../infra/stripe';
import { activitySettingsFromConfig } from '../infra/settings';
import { Connection } from '@temporalio/client';
import { checkSearchAttributes, temporalConnectionOptions } from '../infra/temporal';
import { PACK_ERROR_CODES } from '../shared/pack';
import { SEARCH_ATTRIBUTES } from '../shared/search-attributes';
import { createWorker, workerTuningFromConfig } from './worker';

const LEVELS: Record<LogLevel, Level> = { TRACE: 'debug', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };
const CODES: readonly string[] = PACK_ERROR_CODES;

/** The API's code when an error is a business refusal (SLOT_UNAVAILABLE, TOO_SOON…): non-retryable, typed by its code. */
function refusalCode(error: unknown): string | null {
  return error instanceof ApplicationFailure && error.nonRetryable && CODES.includes(error.type ?? '') ? error.type! : null;
}

/**
 * Temporal's own logs go through the same redaction as ours (activity failures carry error messages). A refused
 * reservation is the answer the client gets, not a fault: one info line with its code, without the stack that
 * Temporal's « Activity failed » warning carries. Every other failure stays a warning.
 */
function forward(log: Logger, entry: LogEntry): void {
  const { error, ...meta } = entry.meta ?? {};
  const code = entry.message === 'Activity failed' ? refusalCode(error) : null;
  if (code) log.info('Activity refused', { ...meta, code });
  else log[LEVELS[entry.level] ?? 'info'](entry.message, entry.meta);
}

/** The logger of Temporal's Runtime, writing through ours. */
export function temporalLogger(log: Logger, level: Level): DefaultLogger {
  return new DefaultLogger(level.toUpperCase() as LogLevel, (entry) => forward(log, entry));
}

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('worker', config.LOG_LEVEL);
  Runtime.install({ logger: temporalLogger(log, config.LOG_LEVEL) });
  const prisma = createPrisma(config.DATABASE_URL);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const check = await Connection.connect(temporalConnectionOptions(config));
  try {
    await checkSearchAttributes(check, config.TEMPORAL_NAMESPACE, SEARCH_ATTRIBUTES);
  } finally {
    await check.close();
  }
  const worker = await createWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities: createActivities({
      prisma,
      mailer: createMailer(config.SMTP_URL),
      stripe: createStripe(config.STRIPE_SECRET_KEY, config.STRIPE_API_URL),
      settings: activitySettingsFromConfig(config),
    }),
    workflowBundlePath: process.env.WORKFLOW_BUNDLE_PATH,
    dataConverter: { payloadCodecs: [new ClientEncryptionCodec(new ClientKeyStore(prisma))] },
    tuning: workerTuningFromConfig(config),
  });
  console.log(`[worker] polling task queue '${config.TEMPORAL_TASK_QUEUE}' on ${config.TEMPORAL_ADDRESS}`);
  try {
    await worker.run(); // resolves after SIGINT/SIGTERM, once in-flight tasks have finished
  } finally {
    await connection.close();
    await closePrisma(prisma);
  }
}

// Run as the worker process (`tsx src/worker/main.ts`), not when a test imports the logger above.
if (require.main === module) {
  main().then(
    // Stopped and closed: nothing left to wait for (an idle pooled SMTP connection would otherwise hold the process).
    () => process.exit(0),
    (err) => {
      console.error(err instanceof ConfigError ? `[worker] ${err.message}` : err);
      process.exit(1);
    },
  );
}
