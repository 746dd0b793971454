import fs from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';

// The lint rule of src/workflows and src/shared: no Node built-in (they are not deterministic, and the workflow
// bundle cannot load them), and activities imported as types only.
const ROOT = path.join(__dirname, '../../src');
const files = (dir: string): string[] =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
const imports = (file: string) =>
  [...fs.readFileSync(file, 'utf8').matchAll(/^\s*import\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gm)].map((m) => ({
    typeOnly: Boolean(m[1]),
    from: m[2],
  }));
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

describe('deterministic code (src/workflows, src/shared)', () => {
  const checked = [...files(path.join(ROOT, 'workflows')), ...files(path.join(ROOT, 'shared'))];

  test.each(checked.map((f) => path.relative(ROOT, f)))('%s imports no Node built-in', (rel) => {
    const bad = imports(path.join(ROOT, rel)).filter((i) => !i.typeOnly && (builtins.has(i.from) || i.from.startsWith('node:')));
    expect(bad).toEqual([]);
  });

  test.each(checked.map((f) => path.relative(ROOT, f)))('%s imports activities, infrastructure and the gateway as types only', (rel) => {
    const bad = imports(path.join(ROOT, rel)).filter((i) => !i.typeOnly && /\/(activities|infra|gateway|worker)(\/|$)/.test(i.from));
    expect(bad).toEqual([]);
  });
});
