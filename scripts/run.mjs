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

// `npm test` (the whole suite) checks the code first: format, lint, types. A finding stops the run before any test.
if (command === 'test' && rest.length === 0) {
  const started = Date.now();
  const bin = (pkg, file) => path.join(root, 'node_modules', pkg, file);
  const checks = [
    ['format (Prettier)', [bin('prettier', 'bin/prettier.cjs'), '--check', '--log-level', 'warn', '.'], 'npm run format'],
    ['lint (ESLint + typescript-eslint)', [bin('eslint', 'bin/eslint.js'), '--max-warnings', '0', '.'], 'npm run lint'],
    ['types (tsc)', [bin('typescript', 'bin/tsc'), '--noEmit', '-p', '.'], 'npm run typecheck'],
  ];
  const results = await Promise.all(
    checks.map(
      ([label, args, fix]) =>
        new Promise((resolve) => {
          const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
          let out = '';
          child.stdout.on('data', (d) => (out += d));
          child.stderr.on('data', (d) => (out += d));
          child.on('exit', (code) => resolve({ label, fix, ok: code === 0, out }));
        }),
    ),
  );
  const failed = results.filter((r) => !r.ok);
  for (const r of failed) console.error(`\n[check] ${r.label} failed:\n${r.out.trim()}\n[check] see \`${r.fix}\``);
  if (failed.length > 0) {
    console.error(`\n[check] ${failed.map((r) => r.label).join(', ')}: fix the findings above; no test was run.`);
    console.log(`\ntests: 0 passed, 1 failed, 0 skipped`);
    process.exit(1);
  }
  console.error(`[check] format, lint and types clean in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

const [cmd, args] = commands[command];
const child = spawn(cmd, args, { cwd: root, env, stdio: 'inherit' });
// Ctrl-C reaches the child through the terminal's process group; we only wait for it to finish cleaning up.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
