// Entry point of `npm start` and `npm test` on a bare machine: installs the npm dependencies if
// they are missing or stale, provisions the tools (scripts/provision.mjs), then runs the command.
// Plain Node with no dependencies, since it runs before `npm ci`.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [command = 'start', ...rest] = process.argv.slice(2);

function dependenciesStale() {
  const installed = path.join(root, 'node_modules/.package-lock.json');
  if (!fs.existsSync(installed)) return true;
  return fs.statSync(path.join(root, 'package-lock.json')).mtimeMs > fs.statSync(installed).mtimeMs;
}

if (dependenciesStale()) {
  console.error('[setup] installing npm dependencies (npm ci)…');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const { provision } = await import('./provision.mjs');
let env;
try {
  env = await provision({ browser: command === 'test' });
} catch (err) {
  console.error(`[setup] ${err.message}`);
  process.exit(1);
}

const tsx = path.join(root, 'node_modules/tsx/dist/cli.mjs');
const commands = {
  start: [process.execPath, [tsx, 'scripts/dev.ts', ...rest]],
  bench: [process.execPath, [tsx, 'scripts/bench/main.ts', ...rest]],
  test: [process.execPath, ['--expose-gc', path.join(root, 'node_modules/jest/bin/jest.js'), ...rest]],
  provision: null,
};
if (!(command in commands)) {
  console.error(`[setup] unknown command '${command}' (start, test, bench, provision)`);
  process.exit(2);
}
if (!commands[command]) process.exit(0);

const [cmd, args] = commands[command];
const child = spawn(cmd, args, { cwd: root, env, stdio: 'inherit' });
// Ctrl-C reaches the child through the terminal's process group; we only wait for it to finish cleaning up.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
