#!/usr/bin/env node
// Build the native addon (native/sgemm.c: SGEMM and the Node-API entry points; native/dwconv.c, native/reduce.c) into prebuilds/<platform>-<arch>/terramae-accel.node
// with the system C compiler and the Node-API headers. Never fails the package build: where no
// compiler or headers exist it says so in one line and leaves any shipped prebuilt binary alone
// (at run time `enableAccel()` then reports that the stock kernels stay in use).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'terramae-accel.node');
const sources = ['sgemm.c', 'dwconv.c', 'reduce.c'].map((f) => join(root, 'native', f));

if (process.env.TERRAMAE_ACCEL_SKIP_BUILD) {
  console.log('accel: native build skipped (TERRAMAE_ACCEL_SKIP_BUILD is set)');
  process.exit(0);
}
if (process.platform === 'win32') {
  console.log('accel: no native build on Windows; the stock tfjs kernels will be used');
  process.exit(0);
}
const execDir = dirname(process.execPath);
const candidates = [
  process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
  join(execDir, '..', 'include', 'node'),
  '/usr/include/node',
  '/usr/local/include/node',
].filter(Boolean);
const include = candidates.find((d) => existsSync(join(d, 'node_api.h')));
if (!include) {
  console.log(`accel: Node-API headers not found (looked in ${candidates.join(', ')}); native kernels not built`);
  process.exit(0);
}
const cc = process.env.CC ?? 'cc';
mkdirSync(dirname(out), { recursive: true });
const flags = ['-O3', '-std=gnu11', '-fPIC', '-shared', '-fvisibility=hidden', '-DNODE_GYP_MODULE_NAME=terramae_accel', `-I${include}`];
if (process.platform === 'darwin') flags.push('-undefined', 'dynamic_lookup');
try {
  execFileSync(cc, [...flags, ...sources, '-o', out], { stdio: ['ignore', 'inherit', 'inherit'] });
  console.log(`accel: built ${out}`);
} catch (error) {
  console.log(`accel: native build failed (${cc}: ${error.message.split('\n')[0]}); the stock tfjs kernels will be used`);
}
