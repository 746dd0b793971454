// A PostgreSQL server in its own process, for tests that stop and restart it: `tsx test/support/pg-server.ts
// <dataDir> <port>` prints "ready" once it accepts connections and stops cleanly on SIGTERM.
import { startPostgres } from '../../scripts/lib/local-stack';

async function main(): Promise<void> {
  const [dataDir, port] = process.argv.slice(2);
  const pg = await startPostgres({ dataDir, port: Number(port) });
  await pg.createDatabase('imaginasite');
  process.stdout.write('ready\n');
  setInterval(() => undefined, 1 << 30);
  void pg;
}

main().catch((err) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
