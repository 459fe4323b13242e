import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize, type Spread } from './stats';
import type { Workload } from './workloads';

/** Debian's interpreter (the one python3-torch installs into), not a pyenv shim. */
export const PYTHON = process.env.TERRAMAE_BENCH_PYTHON ?? '/usr/bin/python3';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'python', 'reference.py');

/** What the PyTorch side of this machine is. */
export interface TorchInfo {
  readonly available: boolean;
  readonly version?: string;
  /** torch's BLAS and oneDNN build line. */
  readonly blas?: string;
  readonly reason?: string;
}

/** Probe `python3 -c "import torch"`. */
export function probeTorch(): TorchInfo {
  if (!existsSync(PYTHON)) return { available: false, reason: `${PYTHON} not found` };
  const r = spawnSync(PYTHON, ['-c', 'import torch,json;print(json.dumps([torch.__version__, torch.__config__.show()]))'], { encoding: 'utf8' });
  if (r.status !== 0) return { available: false, reason: (r.stderr || 'import torch failed').trim().split('\n').pop() ?? 'import torch failed' };
  const [version, config] = JSON.parse(r.stdout.trim()) as [string, string];
  const blas = /BLAS_INFO=([^,]+)/.exec(config)?.[1];
  return { available: true, version, ...(blas ? { blas } : {}) };
}

/**
 * Make sure PyTorch is importable: when it is not and apt-get is usable (root on Debian), install
 * Debian's python3-torch, python3-numpy and OpenBLAS (without OpenBLAS, torch falls back to the
 * reference BLAS and runs about 10× slower). Never a dependency of the packages.
 */
export function ensureTorch(log: (line: string) => void): TorchInfo {
  let info = probeTorch();
  const haveOpenBlas = existsSync('/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3') || process.arch !== 'x64';
  if (info.available && haveOpenBlas) return info;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!existsSync('/usr/bin/apt-get') || !root) return info.available ? info : { ...info, reason: `${info.reason}; install python3-torch (apt) to compare` };
  log(`bench: installing ${info.available ? 'OpenBLAS for torch' : 'python3-torch, python3-numpy, OpenBLAS'} with apt-get…`);
  try {
    execFileSync('apt-get', ['update'], { stdio: 'ignore' });
    execFileSync('apt-get', ['install', '-y', 'python3-torch', 'python3-numpy', 'libopenblas0-pthread'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  } catch (error) {
    log(`bench: apt-get failed (${(error as Error).message.split('\n')[0]})`);
  }
  info = probeTorch();
  return info;
}

/** One PyTorch measurement. */
export interface TorchResult {
  readonly threads: number;
  readonly wallMs: Spread;
  /** Process CPU milliseconds per step (all threads). */
  readonly cpuMs: Spread;
  readonly imagesPerSecond: number;
  readonly peakRssMB: number;
  readonly parameters: number;
  readonly error?: string;
}

/** Run the PyTorch re-statement of a workload's step in a fresh Python process. */
export function measureTorch(w: Workload, batch: number, threads: number, warmup: number, runs: number): TorchResult {
  const args = [SCRIPT, '--model', w.torch.model, '--size', w.torch.size, '--input', String(w.input), '--patch', String(w.torch.patch), '--batch', String(batch), '--threads', String(threads), '--warmup', String(warmup), '--runs', String(runs)];
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) } });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    const why = (r.stderr || r.stdout || 'no output').trim().split('\n').pop() ?? 'failed';
    return { threads, wallMs: summarize([]), cpuMs: summarize([]), imagesPerSecond: Number.NaN, peakRssMB: Number.NaN, parameters: 0, error: why };
  }
  const out = JSON.parse(line) as { msPerStep: number[]; cpuMsPerStep: number[]; peakRssMB: number; parameters: number };
  const wallMs = summarize(out.msPerStep);
  const views = w.recipe.input.views ?? 1;
  return { threads, wallMs, cpuMs: summarize(out.cpuMsPerStep), imagesPerSecond: (batch * views * 1000) / wallMs.median, peakRssMB: out.peakRssMB, parameters: out.parameters };
}
