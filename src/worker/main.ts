import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { createLogger } from '../infra/log';
import { ClientEncryptionCodec, ClientKeyStore } from '../infra/codec';
import { createActivities } from '../activities';
import { loadConfig, ConfigError } from '../infra/config';
import { closePrisma, createPrisma } from '../infra/database';
import { createMailer } from '../infra/mailer';
import { createStripe } from '../infra/stripe';
import { activitySettingsFromConfig } from '../infra/settings';
import { Connection } from '@temporalio/client';
import { checkSearchAttributes, temporalConnectionOptions } from '../infra/temporal';
import { SEARCH_ATTRIBUTES } from '../shared/search-attributes';
import { createWorker, workerTuningFromConfig } from './worker';

async function main(): Promise<void> {
  const config = loadConfig();
  // Temporal's own logs (activity failures carry error messages) go through the same redaction as ours.
  const log = createLogger('worker', config.LOG_LEVEL);
  const levels: Record<string, 'debug' | 'info' | 'warn' | 'error'> = {
    TRACE: 'debug',
    DEBUG: 'debug',
    INFO: 'info',
    WARN: 'warn',
    ERROR: 'error',
  };
  Runtime.install({
    logger: new DefaultLogger(config.LOG_LEVEL.toUpperCase() as LogLevel, (entry) =>
      log[levels[entry.level] ?? 'info'](entry.message, entry.meta),
    ),
  });
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

main().catch((err) => {
  console.error(err instanceof ConfigError ? `[worker] ${err.message}` : err);
  process.exit(1);
});
