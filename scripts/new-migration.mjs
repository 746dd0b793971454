// Writes a new migration from the change to prisma/schema.prisma since git's HEAD:
//   DATABASE_URL=… node scripts/new-migration.mjs <name>      (with `npm start` running, the embedded database works)
// Why not `prisma migrate dev`: with the driver adapter and the WebAssembly schema engine, Prisma 6.19 cannot use a
// shadow database (it panics), but a schema-to-schema diff works. Review the SQL it writes before committing;
// hand-written SQL (the calendar's exclusion constraint) goes at the end of the file.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { offlineEnv } from './provision.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: node scripts/new-migration.mjs <snake_case_name>');
  process.exit(2);
}
const before = path.join(os.tmpdir(), `schema-head-${process.pid}.prisma`);
fs.writeFileSync(before, execFileSync('git', ['show', 'HEAD:prisma/schema.prisma'], { cwd: root }));
const sql = execFileSync(
  process.execPath,
  [
    path.join(root, 'node_modules/prisma/build/index.js'),
    'migrate',
    'diff',
    '--from-schema-datamodel',
    before,
    '--to-schema-datamodel',
    path.join(root, 'prisma/schema.prisma'),
    '--script',
  ],
  { cwd: root, env: { ...process.env, ...offlineEnv() }, encoding: 'utf8' },
);
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = path.join(root, 'prisma/migrations', `${stamp}_${name}`);
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'migration.sql'), sql);
console.log(`wrote ${path.relative(root, dir)}/migration.sql`);
