// The benchmark harness: `npm run bench [-- --quick] [--workloads mpmae,mae-tiny] [--batches 8,32]
// [--inputs 56,112] [--cases mpmae@56x8,mpmae@112x8] [--runs 5] [--warmup 2] [--no-torch] [--no-stock]
// [--backend wasm] [--out docs/benchmarks.md]`.
// `--cases` lists family@input×batch cases instead of the workloads × inputs × batches product; the
// stock-kernel variant then runs only for each family's first case (it shows what accel adds).
// Each terramae case runs in its own child process (peak RSS per case); PyTorch at 1 and 2 threads.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureLoader, type LoaderResult } from './loader';
import type { TerramaeCase, TerramaeResult } from './measure-terramae';
import { renderReport, type BenchRow } from './report';
import { ensureTorch, measureTorch, probeTorch, type TorchInfo } from './torch';
import { DEFAULT_INPUTS, makeWorkload, WORKLOAD_FAMILIES, type WorkloadFamily } from './workloads';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..', '..');
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const opt = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const list = (name: string) => opt(name)?.split(',').filter(Boolean);

const quick = flag('quick');
const families = (list('workloads') ?? (quick ? ['mae-tiny'] : [...WORKLOAD_FAMILIES])) as WorkloadFamily[];
for (const f of families) if (!WORKLOAD_FAMILIES.includes(f)) throw new Error(`--workloads: unknown workload "${f}"; use ${WORKLOAD_FAMILIES.join(', ')}`);
const batches = (list('batches') ?? (quick ? ['2'] : ['8', '32'])).map(Number);
const inputsOverride = list('inputs')?.map(Number);
const warmup = Number(opt('warmup') ?? (quick ? 1 : 2));
const runs = Number(opt('runs') ?? (quick ? 2 : 5));
const backend = (opt('backend') ?? 'wasm') as 'wasm' | 'cpu';
const threads = (list('torch-threads') ?? ['1', '2']).map(Number);
const out = opt('out') ?? (quick ? undefined : join(repo, 'docs', 'benchmarks.md'));
const variants: boolean[] = [...(flag('no-stock') ? [] : [false]), ...(flag('no-accel') ? [] : [true])];
const log = (line: string) => console.log(line);

function runWorker(c: TerramaeCase): TerramaeResult | { error: string } {
  const r = spawnSync(process.execPath, ['--conditions=@terramae/source', '--import', 'tsx', join(here, 'worker.ts'), JSON.stringify(c)], {
    encoding: 'utf8',
    cwd: join(here, '..'),
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (line) return JSON.parse(line.slice('BENCH_RESULT '.length)) as TerramaeResult | { error: string };
  const err = `${r.stderr}\n${r.stdout}`.split('\n').map((l) => l.trim()).filter((l) => /Error|Aborted|abort|out of memory/i.test(l) && l.length < 300);
  return { error: err.pop() ?? `worker exited with ${r.status ?? r.signal}` };
}

/** One measured configuration. */
interface PlannedCase {
  family: WorkloadFamily;
  input: number;
  batch: number;
  /** Also run the stock kernels (when --no-stock is absent). */
  stock: boolean;
}

function planCases(): PlannedCase[] {
  const listed = list('cases');
  if (listed) {
    const seen = new Set<string>();
    return listed.map((spec) => {
      const m = /^([a-z-]+)@(\d+)x(\d+)$/.exec(spec);
      if (!m) throw new Error(`--cases: "${spec}" is not family@input×batch (e.g. mpmae@56x8)`);
      const family = m[1] as WorkloadFamily;
      if (!WORKLOAD_FAMILIES.includes(family)) throw new Error(`--cases: unknown workload "${family}"; use ${WORKLOAD_FAMILIES.join(', ')}`);
      const first = !seen.has(family);
      seen.add(family);
      return { family, input: Number(m[2]), batch: Number(m[3]), stock: first };
    });
  }
  return families.flatMap((family) =>
    (inputsOverride ?? (quick ? [16] : DEFAULT_INPUTS[family])).flatMap((input) => batches.map((batch) => ({ family, input, batch, stock: true }))),
  );
}

const started = new Date();
const torch: TorchInfo = flag('no-torch') ? { available: false, reason: '--no-torch' } : quick ? probeTorch() : ensureTorch(log);
if (!torch.available) log(`bench: PyTorch side skipped (${torch.reason})`);
const rows: BenchRow[] = [];
const loaders: LoaderResult[] = [];
const cases = planCases();
const profiled = new Set<string>();
for (const { family, input, batch, stock } of cases) {
  const workload = makeWorkload(family, input);
  const row: BenchRow = { workload: workload.id, label: workload.label, batch, terramae: [], torch: [] };
  // Profile the first case of each workload (one extra step per variant).
  const profile = !quick && !profiled.has(workload.id);
  for (const accel of variants) {
    if (!accel && !stock) continue;
    const c: TerramaeCase = { family, input, batch, backend, accel, warmup, runs, profile };
    log(`bench: ${workload.id} b${batch} terramae ${backend}${accel ? '+accel' : ''}…`);
    const r = runWorker(c);
    row.terramae.push('error' in r ? { accel, error: r.error } : { accel, result: r });
    log('error' in r ? `  failed: ${r.error}` : `  ${r.wallMs.median.toFixed(0)} ms/step wall, ${r.cpuMs.median.toFixed(0)} ms cpu, ${r.peakRssMB.toFixed(0)} MB`);
  }
  if (torch.available) {
    for (const t of threads) {
      log(`bench: ${workload.id} b${batch} pytorch ${t} thread(s)…`);
      const r = measureTorch(workload, batch, t, warmup, runs);
      row.torch.push(r);
      log(r.error ? `  failed: ${r.error}` : `  ${r.wallMs.median.toFixed(0)} ms/step wall, ${r.cpuMs.median.toFixed(0)} ms cpu, ${r.peakRssMB.toFixed(0)} MB`);
    }
  }
  rows.push(row);
  if (!quick && !flag('no-loader') && !profiled.has(workload.id)) {
    log(`bench: loader throughput for ${workload.id}…`);
    loaders.push(await measureLoader(workload, batch));
  }
  profiled.add(workload.id);
}

const report = renderReport({
  date: started.toISOString(),
  machine: `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
  node: process.version,
  torch,
  backend,
  warmup,
  runs,
  quick,
  rows,
  loaders,
  command: `npm run bench -- ${argv.join(' ')}`.trim(),
});
if (out) {
  // Keep hand-written analysis: replace only what lies between the markers when the file has them.
  const begin = '<!-- bench:begin -->';
  const end = '<!-- bench:end -->';
  const old = existsSync(out) ? readFileSync(out, 'utf8') : '';
  const i = old.indexOf(begin);
  const j = old.indexOf(end);
  const body = report.replace(/^# Benchmarks\n\n/, '');
  writeFileSync(out, i >= 0 && j > i ? `${old.slice(0, i + begin.length)}\n${body}${old.slice(j)}` : report);
  log(`bench: wrote ${out}`);
} else {
  console.log(report);
}
