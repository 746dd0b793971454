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

/** Disconnects Prisma and ends the pg pool it was given (Prisma does not end a pool it did not create). */
export async function closePrisma(prisma: PrismaClient): Promise<void> {
  await prisma.$disconnect();
  await pools.get(prisma)?.end();
}

export { PrismaClient };
