import * as tf from '@tensorflow/tfjs';
import { disposeBatch, initBackend, measurePeakMemory } from '@terramae/tensors';
import { summarize, type Spread } from './stats';
import { createTrainStep } from './train-step';
import { makeWorkload, makeWorkloadData, type WorkloadFamily } from './workloads';

/** What to measure: one workload at one batch size on one backend, with or without accel. */
export interface TerramaeCase {
  readonly family: WorkloadFamily;
  readonly input: number;
  readonly batch: number;
  readonly backend: 'wasm' | 'cpu';
  /** Register `@terramae/accel`'s native matMul kernels first. */
  readonly accel: boolean;
  readonly warmup: number;
  readonly runs: number;
  /** Also time every kernel of one extra step (`tf.profile`). */
  readonly profile?: boolean;
}

/** Time of one kernel name summed over a profiled step. */
export interface OpTime {
  readonly op: string;
  readonly ms: number;
  readonly calls: number;
}

/** The result of {@link measureTerramae}. */
export interface TerramaeResult {
  readonly id: string;
  readonly label: string;
  readonly batch: number;
  readonly backend: string;
  readonly accel: boolean;
  /** The native micro-kernel, when accel is on. */
  readonly isa?: string;
  /** Wall-clock milliseconds per step (median and spread over the timed runs). */
  readonly wallMs: Spread;
  /** Process CPU milliseconds per step (user + system): robust to other processes on the machine. */
  readonly cpuMs: Spread;
  /** Images per second from the median wall time (a pair counts as two images). */
  readonly imagesPerSecond: number;
  /** Peak resident set size of the process, MB. */
  readonly peakRssMB: number;
  /** Peak bytes of tensor buffers held at once during one step (each buffer counted once), MB. */
  readonly peakTensorMB: number;
  readonly parameters: number;
  /** The last step's loss (finite when the step works). */
  readonly loss: number;
  /** Tensors alive after the timed steps minus after the warm-up: 0 when nothing leaks. */
  readonly leakedTensors: number;
  /** Per-op time of one profiled step, largest first. */
  readonly ops?: readonly OpTime[];
}

/**
 * Run one terramae training-step benchmark in this process: build the workload's model and AdamW,
 * make one synthetic batch, run `warmup` untimed and `runs` timed steps (each with its one loss
 * readback), optionally profile one more step kernel by kernel.
 */
export async function measureTerramae(c: TerramaeCase): Promise<TerramaeResult> {
  await initBackend({ backend: c.backend });
  let isa: string | undefined;
  if (c.accel) {
    const { enableAccel } = await import('@terramae/accel');
    const status = await enableAccel({ log: false });
    if (!status.enabled) throw new Error(`accel requested but not available: ${status.reason}`);
    isa = status.isa;
  }
  const workload = makeWorkload(c.family, c.input);
  const data = makeWorkloadData(workload, c.batch);
  const stream = data.loader.stream();
  const batch = (await stream.next()).value;
  await stream.return?.(undefined);
  if (!batch) throw new Error(`${workload.id}: the synthetic loader yielded no batch`);
  if (batch.size !== c.batch) {
    const size = batch.size;
    disposeBatch(batch);
    throw new Error(`${workload.id}: the synthetic loader yielded a batch of ${size}, not ${c.batch}; the measurement would be mislabelled`);
  }
  const step = createTrainStep(workload, data.source.specs);
  try {
    let loss = Number.NaN;
    for (let i = 0; i < Math.max(1, c.warmup); i++) loss = await step.run(batch);
    const before = tf.memory().numTensors; // after the first step has created AdamW's moments
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < c.runs; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      loss = await step.run(batch);
      wall.push(performance.now() - t0);
      const used = process.cpuUsage(c0);
      cpu.push((used.user + used.system) / 1000);
    }
    const leakedTensors = tf.memory().numTensors - before;
    const peak = measurePeakMemory(() => step.compute(batch));
    peak.result.dispose();
    // Buffers alive between steps (weights, AdamW moments, the batch) plus the step's own peak.
    // tf.memory().numBytes counts a buffer once per tensor object; between steps no clones are
    // alive, so here it equals the distinct buffers' bytes.
    const peakTensorMB = (tf.memory().numBytes + peak.peakBytes) / 1e6;
    let ops: OpTime[] | undefined;
    if (c.profile) {
      const info = await tf.profile(async () => {
        await step.run(batch);
      });
      const byName = new Map<string, { ms: number; calls: number }>();
      for (const k of info.kernels) {
        const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
        e.ms += Number(k.kernelTimeMs) || 0;
        e.calls++;
        byName.set(k.name, e);
      }
      ops = [...byName.entries()].map(([op, e]) => ({ op, ...e })).sort((x, y) => y.ms - x.ms);
    }
    const wallMs = summarize(wall);
    const views = workload.recipe.input.views ?? 1;
    return {
      id: workload.id,
      label: workload.label,
      batch: c.batch,
      backend: c.backend,
      accel: c.accel,
      ...(isa ? { isa } : {}),
      wallMs,
      cpuMs: summarize(cpu),
      imagesPerSecond: (c.batch * views * 1000) / wallMs.median,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
      peakTensorMB,
      parameters: step.parameters,
      loss,
      leakedTensors,
      ...(ops ? { ops } : {}),
    };
  } finally {
    step.dispose();
    disposeBatch(batch);
    if (c.accel) (await import('@terramae/accel')).disableAccel();
  }
}
