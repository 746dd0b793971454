import pg from 'pg';

/**
 * Workaround for prisma/orm#27403: @prisma/adapter-pg rejects the PostgreSQL catalog types `name` (oid 19) and
 * `"char"` (oid 18) that the schema engine reads during `migrate dev` / `migrate deploy`. We report those columns
 * as `text` (oid 25) — their values are already strings — for promise and callback style queries alike.
 * Remove this file once the upstream fix ships in the Prisma 6 line we use.
 */
const CATALOG_TEXT_OIDS = new Set([18, 19]);
const TEXT_OID = 25;

function retypeFields(result: unknown): void {
  const results = Array.isArray(result) ? result : [result];
  for (const r of results) {
    const fields = (r as { fields?: Array<{ dataTypeID: number }> } | undefined)?.fields;
    if (!fields) continue;
    for (const f of fields) if (CATALOG_TEXT_OIDS.has(f.dataTypeID)) f.dataTypeID = TEXT_OID;
  }
}

export class CatalogTextClient extends pg.Client {
  // pg's overloads are many; we only wrap the result, whatever the calling convention.
  override query(...args: unknown[]): never {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      const cb = last as (err: Error | null, res: unknown) => void;
      args[args.length - 1] = (err: Error | null, res: unknown) => {
        if (!err) retypeFields(res);
        cb(err, res);
      };
      return (super.query as (...a: unknown[]) => never)(...args);
    }
    // A Submittable (e.g. a cursor) is returned as is: the adapter never passes one.
    const out = (super.query as (...a: unknown[]) => unknown)(...args);
    if (out && typeof (out as Promise<unknown>).then === 'function') {
      return (out as Promise<unknown>).then((res) => {
        retypeFields(res);
        return res;
      }) as never;
    }
    return out as never;
  }
}

export function createPgPool(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, Client: CatalogTextClient as unknown as typeof pg.Client });
  // An idle connection dropped by the server (restart, failover) must not crash the process: the pool replaces it
  // and the next query reports the outage to its caller.
  pool.on('error', (err) => console.error(`[db] idle connection lost: ${err.message}`));
  return pool;
}
