#!/usr/bin/env node
// Proves that every package works when installed from npm on its own: packs each package,
// installs the tarball (with only the terramae packages it depends on, plus @tensorflow/tfjs)
// into an empty temporary project, imports it from ESM and from CJS, and runs its README example
// (the first ```js example fenced block, as plain Node ESM). Run after `npm run build`.
//   node tools/scripts/pack-smoke.mjs [package ...]
// VERBOSE=1 prints each example's output.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const all = readdirSync(join(root, 'packages')).filter((name) => existsSync(join(root, 'packages', name, 'package.json')));
const selected = process.argv.slice(2).length ? process.argv.slice(2) : all;
const unknown = selected.filter((name) => !all.includes(name));
if (unknown.length) {
  console.error(`unknown package(s): ${unknown.join(', ')}; packages are: ${all.join(', ')}`);
  process.exit(2);
}
/** Longest a README example may run before it counts as hung. */
const EXAMPLE_TIMEOUT_MS = 180_000;
const run = (cmd, args, cwd, timeout) =>
  execFileSync(cmd, args, { cwd, timeout, killSignal: 'SIGKILL', stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });

const manifest = (name) => JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));

/** The terramae packages `name` needs, transitively, itself included. */
function closure(name, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  for (const dep of Object.keys(manifest(name).dependencies ?? {})) {
    if (dep.startsWith('@terramae/')) closure(dep.slice('@terramae/'.length), seen);
  }
  return seen;
}

function readmeExample(name) {
  const text = readFileSync(join(root, 'packages', name, 'README.md'), 'utf8');
  const match = text.match(/```js example\r?\n([\s\S]*?)```/);
  return match?.[1];
}

const work = mkdtempSync(join(tmpdir(), 'terramae-pack-'));
let failures = 0;
try {
  // Pack only what the selected packages need (each once).
  const tarballs = {};
  for (const name of new Set(selected.flatMap((n) => [...closure(n)]))) {
    if (!existsSync(join(root, 'packages', name, 'dist'))) throw new Error(`packages/${name} has no dist/; run \`npm run build\` first`);
    const out = run('npm', ['pack', '--silent', '--pack-destination', work], join(root, 'packages', name)).trim().split('\n').pop();
    tarballs[name] = join(work, out);
  }

  for (const name of selected) {
    const pkgName = `@terramae/${name}`;
    const dir = mkdtempSync(join(work, `${name}-`));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `smoke-${name}`, private: true, type: 'module' }));
    const started = Date.now();
    try {
      const deps = [...closure(name)].map((n) => tarballs[n]);
      run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...deps, '@tensorflow/tfjs@^4.22.0'], dir);
      run('node', ['--input-type=module', '-e', `const m = await import('${pkgName}'); if (!Object.keys(m).length) throw new Error('ESM entry exports nothing');`], dir);
      run('node', ['-e', `const m = require('${pkgName}'); if (!Object.keys(m).length) throw new Error('CJS entry exports nothing');`], dir);
      const example = readmeExample(name);
      if (!example) throw new Error(`packages/${name}/README.md has no \`\`\`js example block`);
      writeFileSync(join(dir, 'example.mjs'), example);
      const output = run('node', ['example.mjs'], dir, EXAMPLE_TIMEOUT_MS);
      console.log(`ok   ${pkgName} (ESM, CJS, README example) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      if (process.env.VERBOSE) console.log(output);
    } catch (error) {
      failures++;
      const timedOut = error.signal === 'SIGKILL' ? ` (killed after ${EXAMPLE_TIMEOUT_MS / 1000} s)` : '';
      console.error(`FAIL ${pkgName}${timedOut}: ${error.message}\n${error.stderr ?? ''}${error.stdout ?? ''}`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (failures) {
  console.error(`${failures} package(s) failed the install smoke test`);
  process.exit(1);
}
console.log(`${selected.length} packages install and run from their tarballs`);
