// Test-only access to the PyTorch parity fixtures (../shared/fixtures/parity) for the pretext
// suite: the cases of a kind, their tensors, and the comparison rule of the fixtures README.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { SafetensorsFile, toTorchLayout, torchShapeOf, type Module } from '@terramae/tensors';
import { sharedPath } from '@terramae/testing';

/** Thresholds of one tensor group. */
export interface Tolerance {
  readonly rel_l2: number;
  readonly max_abs_rel: number;
}

/** One case of the manifest, with its file open. */
export interface FixtureCase {
  readonly name: string;
  readonly kind: string;
  readonly settings: Record<string, unknown>;
  readonly forward: Tolerance;
  readonly grads: Tolerance;
  readonly file: SafetensorsFile;
}

/** The fixture folder, or undefined (printed skip reason) when ../shared is absent. */
export const PARITY_DIR = sharedPath('fixtures', 'parity');

/** Every case of `kind` in the manifest (files opened lazily by the caller's `open`). */
export function casesOfKind(kind: string): { name: string; open: () => FixtureCase }[] {
  if (!PARITY_DIR) return [];
  const dir = PARITY_DIR;
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { cases: Record<string, unknown>[] };
  return manifest.cases
    .filter((c) => c['kind'] === kind)
    .map((c) => ({
      name: c['name'] as string,
      open: () => {
        const tol = c['tolerance'] as { forward: Tolerance; grads: Tolerance };
        return {
          name: c['name'] as string,
          kind,
          settings: (Object.prototype.hasOwnProperty.call(c, 'constructor') ? c['constructor'] : {}) as Record<string, unknown>,
          forward: tol.forward,
          grads: tol.grads,
          file: SafetensorsFile.open(join(dir, c['file'] as string)),
        };
      },
    }));
}

/** Relative errors of `y` against the reference over the reference's finite entries. */
export function relativeErrors(y: ArrayLike<number>, r: ArrayLike<number>): { relL2: number; maxAbsRel: number; nonFiniteMismatch: number } {
  let maxAbs = 0;
  let maxRef = 0;
  let diffSq = 0;
  let refSq = 0;
  let nonFiniteMismatch = 0;
  for (let i = 0; i < r.length; i++) {
    const rv = r[i] as number;
    const yv = y[i] as number;
    if (!Number.isFinite(rv)) {
      if (!Object.is(rv, yv) && !(Number.isNaN(rv) && Number.isNaN(yv))) nonFiniteMismatch++;
      continue;
    }
    if (!Number.isFinite(yv)) {
      nonFiniteMismatch++;
      continue;
    }
    const d = Math.abs(yv - rv);
    maxAbs = Math.max(maxAbs, d);
    maxRef = Math.max(maxRef, Math.abs(rv));
    diffSq += d * d;
    refSq += rv * rv;
  }
  const ratio = (a: number, b: number) => (b > 0 ? a / b : a === 0 ? 0 : Infinity);
  return { relL2: ratio(Math.sqrt(diffSq), Math.sqrt(refSq)), maxAbsRel: ratio(maxAbs, maxRef), nonFiniteMismatch };
}

/**
 * Compare a computed tensor (disposed here) with reference `name`; returns a problem line or
 * undefined. Integer / boolean references must match exactly.
 */
export async function compareWith(c: FixtureCase, name: string, value: tf.Tensor | ArrayLike<number>): Promise<string | undefined> {
  const info = c.file.info(name);
  let data: ArrayLike<number>;
  if (value instanceof tf.Tensor) {
    if (value.size !== info.shape.reduce((a, b) => a * b, 1)) {
      const s = value.shape;
      value.dispose();
      return `${name}: shape [${s.join(', ')}], reference [${info.shape.join(', ')}]`;
    }
    data = (await value.data()) as ArrayLike<number>;
    value.dispose();
  } else data = value;
  const ref = c.file.readFloat32Array(name);
  if (data.length !== ref.length) return `${name}: ${data.length} values, reference ${ref.length}`;
  if (info.dtype !== 'F32') {
    for (let i = 0; i < ref.length; i++) if (Number(data[i]) !== ref[i]) return `${name}: element ${i} is ${data[i]}, reference ${ref[i]} (exact)`;
    return undefined;
  }
  const tol = name.startsWith('grad/') ? c.grads : c.forward;
  const e = relativeErrors(data, ref);
  // eslint-disable-next-line no-console -- opt-in diagnostics (TERRAMAE_PARITY_VERBOSE=1)
  if (process.env.TERRAMAE_PARITY_VERBOSE) console.log(`${c.name} ${name}: rel_l2 ${e.relL2.toExponential(2)} max_abs_rel ${e.maxAbsRel.toExponential(2)}`);
  if (e.nonFiniteMismatch > 0 || !(e.relL2 <= tol.rel_l2) || !(e.maxAbsRel <= tol.max_abs_rel)) {
    return `${name}: rel_l2 ${e.relL2.toExponential(2)} (≤ ${tol.rel_l2}), max_abs_rel ${e.maxAbsRel.toExponential(2)} (≤ ${tol.max_abs_rel}), non-finite mismatches ${e.nonFiniteMismatch}`;
  }
  return undefined;
}

/** Load `param/<name>` of the case into modules by name (every fixture parameter but `ignore` must be used). */
export function loadParams(c: FixtureCase, modules: readonly Module[], ignore: readonly string[] = []): void {
  const available = c.file.keys().filter((k) => k.startsWith('param/')).map((k) => k.slice(6));
  const used = new Set<string>();
  for (const m of modules) {
    const dict: Record<string, tf.Tensor> = {};
    for (const p of m.namedParameters()) {
      dict[p.name] = c.file.readTensor(`param/${p.name}`);
      used.add(p.name);
    }
    try {
      m.loadTorchStateDict(dict);
    } finally {
      Object.values(dict).forEach((t) => t.dispose());
    }
  }
  const left = available.filter((n) => !used.has(n) && !ignore.includes(n));
  if (left.length) throw new Error(`${c.name}: fixture parameters not in the model: ${left.join(', ')}`);
}

/** Gradients of `loss` for every trainable parameter of `modules`, in PyTorch layout, keyed `grad/<name>`; plus extra variables by key. */
export function gradsInTorchLayout(modules: readonly Module[], loss: () => tf.Scalar, extra: ReadonlyMap<string, tf.Variable> = new Map()): Map<string, tf.Tensor> {
  const params = modules.flatMap((m) => m.namedParameters().filter((p) => p.trainable));
  const { value, grads } = tf.variableGrads(loss, [...params.map((p) => p.variable), ...extra.values()]);
  value.dispose();
  const out = new Map<string, tf.Tensor>();
  for (const p of params) {
    const g = grads[p.variable.name];
    if (g) out.set(`grad/${p.name}`, toTorchLayout(g, p.torchLayout, torchShapeOf(p.variable.shape, p.torchLayout, p.torchChannels)));
  }
  for (const [k, v] of extra) {
    const g = grads[v.name];
    if (g) out.set(k, g.clone());
  }
  Object.values(grads).forEach((g) => g.dispose());
  return out;
}
