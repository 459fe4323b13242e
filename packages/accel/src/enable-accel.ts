import * as tf from '@tensorflow/tfjs';
import { makeDepthwiseKernel } from './depthwise-kernel';
import { loadNative, type NativeSgemm } from './native';
import { makeSumKernel } from './sum-kernel';
import { nativeOutput, replacementKernel, type AnyBackend, type KernelArgs } from './kernel-support';

/** Options of {@link enableAccel}. */
export interface EnableAccelOptions {
  /** Backends whose kernels are replaced (default both `wasm` and `cpu`; unregistered ones are skipped). */
  readonly backends?: ReadonlyArray<'wasm' | 'cpu'>;
  /** Log one line saying what happened (default true). */
  readonly log?: boolean;
  /** Force a micro-kernel: `avx512f`, `avx2` or `generic` (default: the best the CPU supports). */
  readonly isa?: 'avx512f' | 'avx2' | 'generic';
  /** Load the addon from this file instead of the package's prebuilt one. */
  readonly addonPath?: string;
}

/** What {@link enableAccel} did. */
export interface AccelStatus {
  /** True when the native kernels are registered. */
  readonly enabled: boolean;
  /** The micro-kernel in use (`avx512f`, `avx2+fma`, `generic`), when enabled. */
  readonly isa?: string;
  /** The backends whose `BatchMatMul` and `_FusedMatMul` kernels were replaced. */
  readonly backends: readonly string[];
  /** Why the stock kernels stay in use, when not enabled. */
  readonly reason?: string;
}

const KERNELS = ['BatchMatMul', '_FusedMatMul'] as const;
const ACTIVATIONS: Readonly<Record<string, number>> = { linear: 0, relu: 1, relu6: 2 };

interface Saved {
  readonly backend: string;
  readonly config: tf.KernelConfig;
}
let saved: Saved[] = [];

interface MatMulPlan {
  readonly batch: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly strideA: number;
  readonly strideB: number;
  readonly outShape: number[];
}

/** Shapes of a (batched) matMul, or undefined where the batch dimensions need general broadcasting. */
function plan(aShape: readonly number[], bShape: readonly number[], transposeA: boolean, transposeB: boolean): MatMulPlan | undefined {
  const ra = aShape.length;
  const rb = bShape.length;
  if (ra < 2 || rb < 2) return undefined;
  const m = transposeA ? aShape[ra - 1]! : aShape[ra - 2]!;
  const k = transposeA ? aShape[ra - 2]! : aShape[ra - 1]!;
  const kb = transposeB ? bShape[rb - 1]! : bShape[rb - 2]!;
  const n = transposeB ? bShape[rb - 2]! : bShape[rb - 1]!;
  if (k !== kb) return undefined;
  const outerA = aShape.slice(0, -2);
  const outerB = bShape.slice(0, -2);
  const batchA = outerA.reduce((p, d) => p * d, 1);
  const batchB = outerB.reduce((p, d) => p * d, 1);
  let outer: number[];
  if (batchA === batchB && outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i])) outer = outerA;
  else if (batchB === 1) outer = outerA.length >= outerB.length ? outerA : [...outerB.slice(0, outerB.length - outerA.length), ...outerA];
  else if (batchA === 1) outer = outerB.length >= outerA.length ? outerB : [...outerA.slice(0, outerA.length - outerB.length), ...outerB];
  else return undefined;
  const batch = Math.max(batchA, batchB);
  return { batch, m, n, k, strideA: batchA === 1 ? 0 : m * k, strideB: batchB === 1 ? 0 : k * n, outShape: [...outer, m, n] };
}

function makeKernel(backendName: string, name: (typeof KERNELS)[number], stock: tf.KernelConfig, addon: NativeSgemm): tf.KernelConfig {
  return replacementKernel(stock, (args: KernelArgs) => {
    const { inputs, attrs } = args;
    const backend = args.backend as AnyBackend;
    const a = inputs.a!;
    const b = inputs.b!;
    const transposeA = Boolean(attrs?.transposeA);
    const transposeB = Boolean(attrs?.transposeB);
    const p = a.dtype === 'float32' && b.dtype === 'float32' ? plan(a.shape, b.shape, transposeA, transposeB) : undefined;
    let activation = 0;
    let bias: tf.TensorInfo | undefined;
    if (name === '_FusedMatMul') {
      const act = ACTIVATIONS[String(attrs?.activation ?? 'linear')];
      bias = inputs.bias;
      const biasOk = !bias || (bias.dtype === 'float32' && p !== undefined && bias.shape.reduce((q, d) => q * d, 1) === p.n && (bias.shape.length === 0 ? p.n === 1 : bias.shape[bias.shape.length - 1] === p.n));
      if (act === undefined || inputs.preluActivationWeights || !biasOk) return stock.kernelFunc(args as never);
      activation = act;
    }
    if (!p) return stock.kernelFunc(args as never);
    return nativeOutput(backendName, backend, p.outShape, (c, viewOf) =>
      addon.sgemm(viewOf(a), viewOf(b), c, p.batch, p.m, p.n, p.k, +transposeA, +transposeB, p.strideA, p.strideB, bias ? viewOf(bias) : null, activation),
    );
  });
}

/**
 * Register terramae's native SGEMM (cache-blocked, packed, AVX-512 / AVX2 / portable, chosen at run
 * time) as the `BatchMatMul` and `_FusedMatMul` kernels of the wasm and cpu backends: every
 * `tf.matMul`, `tf.fused.matMul` (bias + linear/relu/relu6) and the matrix products of their
 * gradients then run natively, reading and writing the wasm heap in place. Shapes the native kernel
 * does not cover (general batch broadcasting, prelu/elu/sigmoid/leakyrelu epilogues, other dtypes)
 * go to the stock kernel. Where the binary is missing or does not load, nothing changes and one
 * line says why. Call after `initBackend`; undo with {@link disableAccel}.
 *
 * @example
 * ```ts
 * import { initBackend } from '@terramae/tensors';
 * import { enableAccel } from '@terramae/accel';
 * await initBackend({ backend: 'wasm' });
 * const status = await enableAccel(); // { enabled: true, isa: 'avx512f', backends: ['wasm', 'cpu'] }
 * ```
 */
export async function enableAccel(options: EnableAccelOptions = {}): Promise<AccelStatus> {
  const log = options.log ?? true;
  const native = loadNative(options.addonPath);
  if (!native.addon) {
    const status: AccelStatus = { enabled: false, backends: [], reason: native.reason ?? 'unknown' };
    if (log) console.warn(`terramae accel: using the stock tfjs kernels (${status.reason})`);
    return status;
  }
  const addon = native.addon;
  if (options.isa) addon.isa({ avx512f: 3, avx2: 2, generic: 1 }[options.isa]);
  disableAccel();
  const done: string[] = [];
  for (const backendName of options.backends ?? ['wasm', 'cpu']) {
    /** Swap the backend's `kernelName` for `make(stock)`, remembering the stock one for disableAccel. */
    const replace = (kernelName: string, make: (stock: tf.KernelConfig) => tf.KernelConfig) => {
      const stock = tf.getKernel(kernelName, backendName);
      if (!stock) return;
      saved.push({ backend: backendName, config: stock });
      tf.unregisterKernel(kernelName, backendName);
      tf.registerKernel(make(stock));
    };
    for (const name of KERNELS) replace(name, (stock) => makeKernel(backendName, name, stock, addon));
    const dwconv = addon.dwconv?.bind(addon);
    if (dwconv) replace('DepthwiseConv2dNative', (stock) => makeDepthwiseKernel(backendName, stock, { dwconv }));
    // wasm only: the cpu backend sums in float64 (JavaScript numbers), more accurately than float32.
    const sumAxes = addon.sumAxes?.bind(addon);
    if (sumAxes && backendName === 'wasm') replace('Sum', (stock) => makeSumKernel(backendName, stock, { sumAxes }));
    if (saved.some((s) => s.backend === backendName)) done.push(backendName);
  }
  const status: AccelStatus = { enabled: done.length > 0, isa: addon.isa(), backends: done, ...(done.length ? {} : { reason: 'none of the requested backends is registered' }) };
  if (log) console.warn(status.enabled ? `terramae accel: native SGEMM (${status.isa}) for ${done.join(', ')}` : `terramae accel: ${status.reason}`);
  return status;
}

/** Put the stock `BatchMatMul` / `_FusedMatMul` kernels back (a no-op when accel is not enabled). */
export function disableAccel(): void {
  for (const s of saved) {
    tf.unregisterKernel(s.config.kernelName, s.backend);
    tf.registerKernel(s.config);
  }
  saved = [];
}

/** True while {@link enableAccel}'s kernels are registered. */
export function accelEnabled(): boolean {
  return saved.length > 0;
}
