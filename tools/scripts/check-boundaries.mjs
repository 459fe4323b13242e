#!/usr/bin/env node
// Enforces the direction of imports between terramae packages (docs/architecture.md) and that
// every package a source file imports is declared in its package.json. Exit 1 on any violation.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';

/** Which internal packages each package may import. */
export const ALLOWED = {
  tensors: [],
  masking: ['tensors'],
  backbones: ['tensors'],
  datasets: ['tensors'],
  pretext: ['tensors', 'masking', 'backbones'],
  recipes: ['tensors', 'masking', 'backbones', 'pretext'],
  trainer: ['tensors', 'masking', 'backbones', 'pretext', 'datasets'],
  cli: ['tensors', 'masking', 'backbones', 'pretext', 'datasets', 'trainer', 'recipes'],
  accel: ['tensors'],
};

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const importRe = /(?:^|[^.\w])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[^.\w])import\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|[^.\w])import\s+['"]([^'"]+)['"]/gm;

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : /\.(ts|mts|cts)$/.test(name) ? [path] : [];
  });
}

function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const problems = [];
for (const [name, allowed] of Object.entries(ALLOWED)) {
  const root = join('packages', name);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
  for (const file of walk(join(root, 'src'))) {
    const isTest = /\.test\.ts$|test-utils|testing|__tests__/.test(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(importRe)) {
      const spec = match[1] ?? match[2] ?? match[3];
      if (!spec || spec.startsWith('.') || builtins.has(spec)) continue;
      const dep = packageOf(spec);
      const where = relative('.', file);
      if (dep.startsWith('@terramae/')) {
        const target = dep.slice('@terramae/'.length);
        if (target === 'testing' && isTest) continue;
        if (target !== name && !allowed.includes(target)) {
          problems.push(`${where}: @terramae/${name} must not import ${dep} (allowed: ${allowed.join(', ') || 'none'})`);
        }
      }
      if (!isTest && !declared.has(dep) && dep !== `@terramae/${name}`) {
        problems.push(`${where}: imports '${dep}', which ${root}/package.json does not declare`);
      }
    }
  }
}
if (problems.length) {
  console.error(`Import boundary check failed (${problems.length}):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`Import boundaries OK (${Object.keys(ALLOWED).length} packages).`);
