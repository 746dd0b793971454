// A PostgreSQL server in its own process, for tests that stop and restart it: `tsx test/support/pg-server.ts
// <dataDir> <port>` prints "ready" once it accepts connections and stops cleanly on SIGTERM.
import { startPostgres } from '../../scripts/lib/local-stack';
import { processes } from '../../scripts/lib/supervisor';

async function main(): Promise<void> {
  const [dataDir, port] = process.argv.slice(2);
  const pg = await startPostgres({ dataDir, port: Number(port) });
  await pg.createDatabase('imaginasite');
  const stop = () => void processes.stopAll().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write('ready\n');
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
