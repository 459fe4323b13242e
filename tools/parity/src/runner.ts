import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '@terramae/tensors';
import { compareTensor, notComputedComparison, type ComputedTensor, type TensorComparison } from './compare';
import { matchesTensorPattern, nanDontCareTensors } from './dont-care';
import { exactWords, isDeclaredExact } from './exact-tensors';
import { ParityError } from './errors';
import { FixtureReader } from './fixture';
import { caseConstructor, loadManifest, type ParityCase, type ParityTolerance } from './manifest';
import { getParityHandler, type NotComputed, type ParityOutputs, type ParityValue } from './registry';
import './kinds/index';

/** Options of {@link runParity}. */
export interface RunParityOptions {
  /** Fixture folder (with `manifest.json`). */
  readonly dir: string;
  /** Backends to run on, in order. Default `['cpu', 'wasm']`. */
  readonly backends?: readonly string[];
  /** Only these case names. */
  readonly cases?: readonly string[];
  /** Only cases of these kinds. */
  readonly kinds?: readonly string[];
  /** A kind without a handler does not count as a failure (it is still listed as pending). */
  readonly allowMissing?: boolean;
  /** Multiplies every tolerance (e.g. 10–100 for WebGL/WebGPU, per the fixtures README). Default 1. */
  readonly toleranceScale?: number;
  /** Called after each case and backend (progress). */
  readonly onResult?: (result: CaseResult) => void;
}

/** Outcome of one case on one backend. */
export interface CaseResult {
  /** Case name. */
  readonly case: string;
  /** Case kind. */
  readonly kind: string;
  /** Backend it ran on. */
  readonly backend: string;
  /** `no-handler`: nothing registered for the kind; `error`: the handler or file failed. */
  readonly status: 'pass' | 'fail' | 'no-handler' | 'error';
  /** One row per reference tensor (`output/*`, `grad/*`) of the file. */
  readonly comparisons: readonly TensorComparison[];
  /** Why the case errored. */
  readonly error?: string;
  /** Tensors the handler left allocated (0 when clean). */
  readonly leakedTensors: number;
  /** Remarks (checksum mismatch, leaks, computed names the file does not hold). */
  readonly warnings: readonly string[];
  /** Wall time of the handler and comparison. */
  readonly seconds: number;
}

/** What {@link runParity} returns. */
export interface ParityReport {
  /** The fixture folder. */
  readonly dir: string;
  /** Backends, in run order. */
  readonly backends: readonly string[];
  /** One result per case and backend, in manifest order then backend order. */
  readonly results: readonly CaseResult[];
  /** Kinds present in the selection that no handler covers. */
  readonly pendingKinds: readonly string[];
  /** Results that count as failures (`fail`, `error`, and `no-handler` unless allowed). */
  readonly failures: number;
  /** No failure. */
  readonly ok: boolean;
}

const KNOWN_BACKENDS = new Set<string>(['cpu', 'wasm', 'webgpu', 'tensorflow']);

function scaled(t: ParityTolerance | undefined, k: number): ParityTolerance | undefined {
  return t && k !== 1 ? { ...t, rel_l2: t.rel_l2 * k, max_abs_rel: t.max_abs_rel * k } : t;
}

function isNotComputed(v: ParityValue): v is NotComputed {
  return typeof v === 'object' && v !== null && 'notComputed' in v;
}

function outputEntries(outputs: ParityOutputs): Array<[string, ParityValue]> {
  return outputs instanceof Map ? [...outputs.entries()] : Object.entries(outputs as Record<string, ParityValue>);
}

/** Read a handler value back to numbers; tf.Tensors are disposed. */
async function readBack(v: Exclude<ParityValue, NotComputed>): Promise<ComputedTensor> {
  if (v instanceof tf.Tensor) {
    try {
      return { shape: v.shape, data: (await v.data()) as ArrayLike<number> };
    } finally {
      v.dispose();
    }
  }
  if (typeof v === 'number') return { shape: [], data: [v] };
  if (typeof v === 'object' && v !== null && 'data' in v && !ArrayBuffer.isView(v)) return v as ComputedTensor;
  return { data: v as ArrayLike<number> };
}

function disposeValues(values: ParityValue[]): void {
  for (const v of values) if (v instanceof tf.Tensor && !v.isDisposed) v.dispose();
}

function checkFile(c: ParityCase, path: string): string[] {
  const warnings: string[] = [];
  if (c.bytes !== undefined) {
    const size = statSync(path).size;
    if (size !== c.bytes) warnings.push(`${c.file} has ${size} bytes, the manifest says ${c.bytes}`);
  }
  if (c.sha256 !== undefined) {
    const sha = createHash('sha256').update(readFileSync(path)).digest('hex');
    if (sha !== c.sha256) warnings.push(`${c.file} sha256 ${sha.slice(0, 12)}… differs from the manifest's ${c.sha256.slice(0, 12)}… (file and manifest do not belong together?)`);
  }
  return warnings;
}

async function runOne(c: ParityCase, dir: string, backend: string, fixture: FixtureReader, fileWarnings: string[], toleranceScale: number): Promise<CaseResult> {
  const start = performance.now();
  const base = { case: c.name, kind: c.kind, backend };
  const handler = getParityHandler(c.kind);
  if (!handler) return { ...base, status: 'no-handler', comparisons: [], leakedTensors: 0, warnings: fileWarnings, seconds: 0 };
  const expected = fixture.names().filter((n) => n.startsWith('output/') || n.startsWith('grad/'));
  const warnings = [...fileWarnings];
  if (expected.length === 0) {
    return { ...base, status: 'fail', comparisons: [], error: `${fixture.path} holds no output/* or grad/* tensor to compare`, leakedTensors: 0, warnings, seconds: 0 };
  }
  const before = tf.memory().numTensors;
  let outputs: Array<[string, ParityValue]>;
  try {
    outputs = outputEntries(await handler({ case: c, settings: caseConstructor(c), dir, backend, fixture, expected }));
  } catch (error) {
    const leaked = tf.memory().numTensors - before;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { ...base, status: 'error', comparisons: [], error: message, leakedTensors: leaked, warnings, seconds: (performance.now() - start) / 1000 };
  }
  const computed = new Map<string, ComputedTensor | NotComputed>();
  try {
    for (const [name, value] of outputs) {
      if (!expected.includes(name)) {
        warnings.push(`computed "${name}", which the file does not hold (typo?)`);
        continue;
      }
      computed.set(name, isNotComputed(value) ? value : await readBack(value));
    }
  } finally {
    disposeValues(outputs.map(([, v]) => v));
  }
  const leakedTensors = tf.memory().numTensors - before;
  if (leakedTensors !== 0) warnings.push(`the handler left ${leakedTensors} tensor(s) allocated`);

  const dontCare = nanDontCareTensors(c);
  const exact = exactWords(c);
  const comparisons = expected.map((name) => {
    const group = name.startsWith('grad/') ? 'grads' : 'forward';
    const tolerance = scaled(c.tolerance[group], toleranceScale);
    const value = computed.get(name);
    if (value === undefined) return notComputedComparison(name, undefined, tolerance);
    if (isNotComputed(value)) return notComputedComparison(name, value.notComputed, tolerance);
    const ref = fixture.reference(name);
    const cmp = compareTensor(name, ref, value, {
      tolerance,
      nanDontCare: matchesTensorPattern(name, dontCare),
      exact: isDeclaredExact(name, ref, exact),
    });
    if (!tolerance && !cmp.pass && cmp.mode === 'tolerance') return { ...cmp, reason: `the manifest has no tolerance.${group} for case "${c.name}"` };
    return cmp;
  });
  const status = comparisons.every((r) => r.pass) ? 'pass' : 'fail';
  return { ...base, status, comparisons, leakedTensors, warnings, seconds: (performance.now() - start) / 1000 };
}

/**
 * Run every selected case of a fixture folder on each backend, through the handler registered for
 * its kind, and compare every `output/*` and `grad/*` tensor of its file with what the handler
 * computed (see `compareTensor`).
 */
export async function runParity(options: RunParityOptions): Promise<ParityReport> {
  const dir = options.dir;
  const manifest = loadManifest(dir);
  const backends = options.backends?.length ? [...options.backends] : ['cpu', 'wasm'];
  for (const b of backends) {
    if (!KNOWN_BACKENDS.has(b)) throw new ParityError(`unknown backend "${b}"; use cpu, wasm, webgpu or tensorflow`);
  }
  let cases = [...manifest.cases];
  if (options.cases?.length) {
    const missing = options.cases.filter((n) => !cases.some((c) => c.name === n));
    if (missing.length) {
      throw new ParityError(`no case named ${missing.map((m) => `"${m}"`).join(', ')} in ${join(dir, 'manifest.json')}; cases: ${cases.map((c) => c.name).join(', ')}`);
    }
    cases = cases.filter((c) => options.cases!.includes(c.name));
  }
  if (options.kinds?.length) {
    const missing = options.kinds.filter((k) => !cases.some((c) => c.kind === k));
    if (missing.length) {
      throw new ParityError(`no case of kind ${missing.map((m) => `"${m}"`).join(', ')} in the selection; kinds: ${[...new Set(cases.map((c) => c.kind))].join(', ')}`);
    }
    cases = cases.filter((c) => options.kinds!.includes(c.kind));
  }
  const toleranceScale = options.toleranceScale ?? 1;
  if (!(toleranceScale > 0)) throw new ParityError(`toleranceScale must be > 0, got ${toleranceScale}`);

  const readers = new Map<string, { fixture?: FixtureReader; warnings: string[]; error?: string }>();
  for (const c of cases) {
    const path = join(dir, c.file);
    if (!existsSync(path)) {
      readers.set(c.name, { warnings: [], error: `${path} does not exist (case "${c.name}" of ${join(dir, 'manifest.json')})` });
      continue;
    }
    try {
      const warnings = checkFile(c, path);
      readers.set(c.name, { fixture: FixtureReader.open(path), warnings });
    } catch (error) {
      readers.set(c.name, { warnings: [], error: (error as Error).message });
    }
  }

  const results: CaseResult[] = [];
  const previousBackend = tf.getBackend();
  try {
    for (const backend of backends) {
      await initBackend({ backend: backend as BackendName, log: null });
      for (const c of cases) {
        const r = readers.get(c.name)!;
        const result: CaseResult = r.fixture
          ? await runOne(c, dir, backend, r.fixture, r.warnings, toleranceScale)
          : { case: c.name, kind: c.kind, backend, status: getParityHandler(c.kind) ? 'error' : 'no-handler', comparisons: [], error: r.error!, leakedTensors: 0, warnings: [], seconds: 0 };
        results.push(result);
        options.onResult?.(result);
      }
    }
  } finally {
    for (const r of readers.values()) r.fixture?.close();
    if (previousBackend && previousBackend !== tf.getBackend()) await tf.setBackend(previousBackend);
  }
  const order = new Map(cases.map((c, i) => [c.name, i]));
  results.sort((a, b) => order.get(a.case)! - order.get(b.case)! || backends.indexOf(a.backend) - backends.indexOf(b.backend));
  const pendingKinds = [...new Set(cases.filter((c) => !getParityHandler(c.kind)).map((c) => c.kind))];
  const failures = results.filter((r) => r.status === 'fail' || r.status === 'error' || (r.status === 'no-handler' && !options.allowMissing)).length;
  return { dir, backends, results, pendingKinds, failures, ok: failures === 0 };
}
