import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';
import { createPgPool } from './src/infra/pg-pool';

// Prisma 6 with the JavaScript schema engine: migrations run through the pg driver adapter and the WebAssembly
// engine bundled in the `prisma` package, so the CLI never downloads a native engine (see README, "Provisioning").
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  adapter() {
    // Commands that touch a database need DATABASE_URL; a schema-to-schema diff (scripts/new-migration.mjs) does not.
    return Promise.resolve(new PrismaPg(createPgPool(process.env.DATABASE_URL ?? 'postgresql://127.0.0.1:1/DATABASE_URL-is-not-set', 2)));
  },
});
