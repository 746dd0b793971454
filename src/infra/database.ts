import type pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';
import { createPgPool } from './pg-pool';

const pools = new WeakMap<PrismaClient, pg.Pool>();

/** One Prisma client per process, on the pg driver adapter (no native query engine). */
export function createPrisma(databaseUrl: string, poolSize = 10): PrismaClient {
  const pool = createPgPool(databaseUrl, poolSize);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  pools.set(prisma, pool);
  return prisma;
}

/**
 * The pg pool under a Prisma client from `createPrisma`: the worker's hot paths (calendar, projection, outbox) speak
 * SQL to it directly, since Prisma's query compiler cost them most of their CPU (README "Performance").
 */
export function poolOf(prisma: PrismaClient): pg.Pool {
  const pool = pools.get(prisma);
  if (!pool) throw new Error('this Prisma client was not made by createPrisma: it has no pg pool');
  return pool;
}

/** Runs `fn` in one transaction on one connection; a failed transaction is rolled back and its connection dropped. */
export async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let failed = false;
  try {
    await c.query('BEGIN');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    failed = true;
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release(failed);
  }
}

/** Disconnects Prisma and ends the pg pool it was given (Prisma does not end a pool it did not create). */
export async function closePrisma(prisma: PrismaClient): Promise<void> {
  await prisma.$disconnect();
  await pools.get(prisma)?.end();
}

export { PrismaClient };
