// Holding a program in the middle of an operation, to kill it there: the test takes a lock in PostgreSQL that the
// operation's statement needs, sees that statement wait on it (pg_stat_activity), and only then kills the program.
// The kill has then landed mid-operation by construction, not by timing.
import pg from 'pg';
import { until, type UntilOptions } from './until';

export interface Waiter {
  /** The waiting session's backend process. */
  pid: number;
  /** The statement that waits. */
  query: string;
}

export interface HeldLock {
  /** Waits until another session's statement waits on this lock, and answers it. */
  waiter(what: string, opts?: UntilOptions): Promise<Waiter>;
  /** Ends the lock's transaction: what waited on it goes on, or fails if its client is gone. */
  release(): Promise<void>;
}

/** Runs `lockSql` in a transaction of its own and keeps that transaction (and so its locks) open until `release`. */
export async function holdLock(url: string, lockSql: string, params: unknown[] = []): Promise<HeldLock> {
  const holder = new pg.Client({ connectionString: url });
  const observer = new pg.Client({ connectionString: url });
  await Promise.all([holder.connect(), observer.connect()]);
  await holder.query('BEGIN');
  await holder.query(lockSql, params);
  const { rows } = await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const holderPid = rows[0].pid;
  return {
    waiter: (what, opts) =>
      until(
        async () => {
          // pg_stat_activity is read outside the holder's transaction (a transaction sees one snapshot of it).
          const found = await observer.query<Waiter>(
            'SELECT pid, query FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid)) ORDER BY backend_start LIMIT 1',
            [holderPid],
          );
          return found.rows[0];
        },
        (w) => w !== undefined,
        `${what} to wait on the test's lock (${lockSql})`,
        { intervalMs: 20, ...opts },
      ),
    async release() {
      await holder.query('ROLLBACK');
      await Promise.all([holder.end(), observer.end()]);
    },
  };
}

/** Waits until a backend has ended (its client gone, its transaction rolled back), through a connection of its own. */
export async function backendGone(url: string, pid: number, what: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await until(
      async () => (await c.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount,
      (n) => n === 0,
      `the session of ${what} (backend ${pid}) to end`,
      { intervalMs: 50 },
    );
  } finally {
    await c.end();
  }
}
