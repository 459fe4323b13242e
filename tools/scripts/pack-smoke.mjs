#!/usr/bin/env node
// Proves that every package works when installed from npm on its own: packs each package,
// installs the tarball (with only the terramae packages it depends on, plus @tensorflow/tfjs)
// into an empty temporary project, imports it from ESM and from CJS, and runs its README example
// (the first ```js example fenced block). Run after `npm run build`.
//   node tools/scripts/pack-smoke.mjs [package ...]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const all = readdirSync(join(root, 'packages'));
const selected = process.argv.slice(2).length ? process.argv.slice(2) : all;
const work = mkdtempSync(join(tmpdir(), 'terramae-pack-'));
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });

const manifest = (name) => JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));
const tarballs = {};
for (const name of all) {
  const out = run('npm', ['pack', '--silent', '--pack-destination', work], join(root, 'packages', name)).trim().split('\n').pop();
  tarballs[name] = join(work, out);
}

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
  const match = text.match(/```js example\n([\s\S]*?)```/);
  return match?.[1];
}

let failures = 0;
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
    const output = run('node', ['example.mjs'], dir);
    console.log(`ok   ${pkgName} (ESM, CJS, README example) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (process.env.VERBOSE) console.log(output);
  } catch (error) {
    failures++;
    console.error(`FAIL ${pkgName}: ${error.message}\n${error.stderr ?? ''}${error.stdout ?? ''}`);
  }
}
rmSync(work, { recursive: true, force: true });
if (failures) {
  console.error(`${failures} package(s) failed the install smoke test`);
  process.exit(1);
}
console.log(`${selected.length} packages install and run from their tarballs`);
