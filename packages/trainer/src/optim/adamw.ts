import * as tf from '@tensorflow/tfjs';
import { OptimizerError } from './errors';
import { namedEntries, variableEntries, type NamedTensors, type NamedVariables } from './named';
import type { ParamGroup } from './param-groups';

/** Hyper-parameters of {@link AdamW}; the defaults are torch.optim.AdamW's. */
export interface AdamWOptions {
  /** Base learning rate (each group uses `lr · lrScale`); change it per step with `setLearningRate`. Default 1e-3. */
  readonly lr?: number;
  /** `(β1, β2)`. Default `[0.9, 0.999]`; MAE/MMEarth/NeighborMAE pretraining use `[0.9, 0.95]`. */
  readonly betas?: readonly [number, number];
  /** Added to the bias-corrected `√v`. Default 1e-8. */
  readonly eps?: number;
  /** Weight decay of groups that do not set their own. Default 0.01 (torch's default). */
  readonly weightDecay?: number;
}

/** A parameter group as given to {@link AdamW}: `lrScale` defaults to 1, `weightDecay` to the optimiser's. */
export interface AdamWGroupInput {
  /** Label for logs. */
  readonly name?: string;
  /** The variables, keyed by parameter name (unique across groups). */
  readonly params: NamedVariables;
  /** Multiplies the base learning rate. Default 1. */
  readonly lrScale?: number;
  /** Decoupled weight decay. Default: {@link AdamWOptions.weightDecay}. */
  readonly weightDecay?: number;
}

interface Slot {
  readonly name: string;
  readonly variable: tf.Variable;
  readonly group: number;
  step: number;
  expAvg: tf.Tensor | null;
  expAvgSq: tf.Tensor | null;
}

interface Group {
  readonly name: string;
  readonly lrScale: number;
  readonly weightDecay: number;
}

const STEP = 'step/';
const EXP_AVG = 'exp_avg/';
const EXP_AVG_SQ = 'exp_avg_sq/';

function checkFinite(what: string, x: number, min: number, max = Infinity): void {
  if (!(Number.isFinite(x) && x >= min && x <= max)) {
    throw new OptimizerError(`AdamW: ${what} must be a finite number in [${min}, ${max}], got ${x}`);
  }
}

/**
 * AdamW exactly as `torch.optim.AdamW` (single-tensor path, `amsgrad=False`, `maximize=False`),
 * over tf.Variables in parameter groups. Per parameter and step `t` (1-based, counted per
 * parameter as torch does):
 *
 * ```
 * p ← p · (1 − lr·wd)                        (decoupled weight decay, before the Adam update)
 * m ← β1·m + (1 − β1)·g
 * v ← β2·v + (1 − β2)·g²
 * p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 * ```
 *
 * with `lr = baseLr · lrScale` and `wd` of the parameter's group. Scalars are computed in float64
 * in JavaScript, tensors in float32. A parameter without a gradient in a step is skipped (its
 * step count does not advance), like a torch parameter whose `.grad` is `None`.
 *
 * The state (`step`, `m`, `v` per parameter) is exported and imported as named tensors for
 * checkpoints: `step/<name>` (int32 scalar), `exp_avg/<name>`, `exp_avg_sq/<name>`.
 *
 * @example
 * ```ts
 * const opt = new AdamW(buildParamGroups(vars, { weightDecay: 0.05 }), { betas: [0.9, 0.95] });
 * opt.setLearningRate(schedule(iteration));
 * opt.applyGradients(grads); // grads: Map<string, tf.Tensor> keyed like the groups
 * ```
 */
export class AdamW {
  /** β1. */
  readonly beta1: number;
  /** β2. */
  readonly beta2: number;
  /** ε. */
  readonly eps: number;
  private lr: number;
  private readonly groups: Group[] = [];
  private readonly slots = new Map<string, Slot>();
  private disposed = false;

  /**
   * @param groups parameter groups (e.g. from `buildParamGroups`), or one set of named variables
   *   forming a single group.
   * @param options hyper-parameters; see {@link AdamWOptions}.
   */
  constructor(groups: ReadonlyArray<AdamWGroupInput | ParamGroup> | NamedVariables, options: AdamWOptions = {}) {
    this.lr = options.lr ?? 1e-3;
    const [b1, b2] = options.betas ?? [0.9, 0.999];
    this.beta1 = b1;
    this.beta2 = b2;
    this.eps = options.eps ?? 1e-8;
    const defaultWd = options.weightDecay ?? 0.01;
    checkFinite('lr', this.lr, 0);
    checkFinite('betas[0]', b1, 0, 1 - Number.EPSILON);
    checkFinite('betas[1]', b2, 0, 1 - Number.EPSILON);
    checkFinite('eps', this.eps, 0);
    checkFinite('weightDecay', defaultWd, 0);

    const list: ReadonlyArray<AdamWGroupInput | ParamGroup> = Array.isArray(groups)
      ? (groups as ReadonlyArray<AdamWGroupInput | ParamGroup>)
      : [{ params: groups as NamedVariables }];
    list.forEach((g, gi) => {
      const name = g.name ?? `group_${gi}`;
      const lrScale = g.lrScale ?? 1;
      const weightDecay = g.weightDecay ?? defaultWd;
      checkFinite(`lrScale of group "${name}"`, lrScale, 0);
      checkFinite(`weightDecay of group "${name}"`, weightDecay, 0);
      this.groups.push({ name, lrScale, weightDecay });
      for (const [pname, variable] of variableEntries(g.params)) {
        const other = this.slots.get(pname);
        if (other) {
          throw new OptimizerError(`AdamW: parameter "${pname}" is in group "${this.groups[other.group]!.name}" and again in group "${name}"; each parameter may be in one group only`);
        }
        if (variable.dtype !== 'float32') {
          throw new OptimizerError(`AdamW: parameter "${pname}" has dtype ${variable.dtype}; only float32 variables can be optimised`);
        }
        this.slots.set(pname, { name: pname, variable, group: gi, step: 0, expAvg: null, expAvgSq: null });
      }
    });
  }

  /** Set the base learning rate for the next steps (each group uses `lr · lrScale`). */
  setLearningRate(lr: number): void {
    checkFinite('lr', lr, 0);
    this.lr = lr;
  }

  /** The current base learning rate. */
  get learningRate(): number {
    return this.lr;
  }

  /** The groups with their effective learning rate `lr · lrScale`, for logging. */
  groupSummary(): Array<{ name: string; lr: number; weightDecay: number; size: number }> {
    const sizes = this.groups.map(() => 0);
    for (const s of this.slots.values()) sizes[s.group]! += 1;
    return this.groups.map((g, i) => ({ name: g.name, lr: this.lr * g.lrScale, weightDecay: g.weightDecay, size: sizes[i]! }));
  }

  /** Names of every optimised parameter, in group order. */
  get parameterNames(): string[] {
    return [...this.slots.keys()];
  }

  /** Number of steps parameter `name` has taken (torch's `state[p]['step']`). */
  stepCount(name: string): number {
    return this.slot(name, 'stepCount').step;
  }

  private slot(name: string, where: string): Slot {
    const s = this.slots.get(name);
    if (!s) {
      throw new OptimizerError(`AdamW.${where}: "${name}" is not a parameter of this optimiser (it has ${this.slots.size} parameters, e.g. ${[...this.slots.keys()].slice(0, 3).map((n) => `"${n}"`).join(', ')})`);
    }
    return s;
  }

  private assertAlive(where: string): void {
    if (this.disposed) throw new OptimizerError(`AdamW.${where}: the optimiser was disposed`);
  }

  /**
   * One optimisation step with the given gradients (keyed by parameter name). Runs inside a
   * `tf.tidy`; the previous moment tensors are disposed. The gradients stay owned by the caller.
   * Parameters without an entry are skipped; an unknown name or a shape mismatch throws before any
   * variable changes.
   */
  applyGradients(grads: NamedTensors): void {
    this.assertAlive('applyGradients');
    const entries = namedEntries(grads);
    for (const [name, g] of entries) {
      const s = this.slot(name, 'applyGradients');
      if (!tf.util.arraysEqual(g.shape, s.variable.shape)) {
        throw new OptimizerError(`AdamW.applyGradients: gradient of "${name}" has shape [${g.shape.join(', ')}], parameter has [${s.variable.shape.join(', ')}]`);
      }
      if (g.dtype !== 'float32') {
        throw new OptimizerError(`AdamW.applyGradients: gradient of "${name}" has dtype ${g.dtype}, expected float32`);
      }
    }
    const b1 = this.beta1;
    const b2 = this.beta2;
    for (const [name, g] of entries) {
      const s = this.slots.get(name)!;
      const group = this.groups[s.group]!;
      const lr = this.lr * group.lrScale;
      const t = s.step + 1;
      const stepSize = lr / (1 - b1 ** t);
      const bc2Sqrt = Math.sqrt(1 - b2 ** t);
      const decayFactor = 1 - lr * group.weightDecay;
      const oldM = s.expAvg;
      const oldV = s.expAvgSq;
      const [m, v] = tf.tidy(() => {
        const p = decayFactor === 1 ? s.variable : s.variable.mul(tf.scalar(decayFactor));
        const m0 = oldM ?? tf.zerosLike(g);
        const v0 = oldV ?? tf.zerosLike(g);
        const m1 = m0.mul(tf.scalar(b1)).add(g.mul(tf.scalar(1 - b1)));
        const v1 = v0.mul(tf.scalar(b2)).add(g.mul(g).mul(tf.scalar(1 - b2)));
        const denom = v1.sqrt().div(tf.scalar(bc2Sqrt)).add(tf.scalar(this.eps));
        s.variable.assign(p.sub(m1.div(denom).mul(tf.scalar(stepSize))));
        return [m1, v1];
      });
      // keep: the moments must survive a tidy the caller may wrap around this call
      s.expAvg = tf.keep(m!);
      s.expAvgSq = tf.keep(v!);
      s.step = t;
      oldM?.dispose();
      oldV?.dispose();
    }
  }

  /**
   * The optimiser state as a record of named tensors (new tensors the caller owns and disposes):
   * `step/<name>` (int32 scalar), `exp_avg/<name>` and `exp_avg_sq/<name>` (float32, shaped like
   * the parameter), for every parameter that has taken at least one step.
   */
  getState(): Record<string, tf.Tensor> {
    this.assertAlive('getState');
    const out: Record<string, tf.Tensor> = {};
    const put = (key: string, t: tf.Tensor) => Object.defineProperty(out, key, { value: t, enumerable: true, writable: true, configurable: true });
    for (const s of this.slots.values()) {
      if (s.step === 0 || !s.expAvg || !s.expAvgSq) continue;
      put(STEP + s.name, tf.scalar(s.step, 'int32'));
      put(EXP_AVG + s.name, s.expAvg.clone());
      put(EXP_AVG_SQ + s.name, s.expAvgSq.clone());
    }
    return out;
  }

  /**
   * Replace the state with one from {@link getState} (e.g. read from a checkpoint). Copies the
   * tensors (the caller keeps ownership) and disposes the old state. A parameter absent from
   * `state` starts fresh; an unknown key, a parameter with only some of its three entries, or a
   * shape mismatch throws without changing anything.
   */
  setState(state: NamedTensors): void {
    this.assertAlive('setState');
    const parsed = new Map<string, { step?: tf.Tensor; m?: tf.Tensor; v?: tf.Tensor }>();
    for (const [key, t] of namedEntries(state)) {
      let field: 'step' | 'm' | 'v';
      let name: string;
      if (key.startsWith(STEP)) [field, name] = ['step', key.slice(STEP.length)];
      else if (key.startsWith(EXP_AVG_SQ)) [field, name] = ['v', key.slice(EXP_AVG_SQ.length)];
      else if (key.startsWith(EXP_AVG)) [field, name] = ['m', key.slice(EXP_AVG.length)];
      else throw new OptimizerError(`AdamW.setState: unexpected key "${key}"; keys are step/<name>, exp_avg/<name>, exp_avg_sq/<name>`);
      const s = this.slots.get(name);
      if (!s) throw new OptimizerError(`AdamW.setState: "${key}" refers to "${name}", which is not a parameter of this optimiser (was the model or the groups changed?)`);
      if (field === 'step') {
        if (t.size !== 1) throw new OptimizerError(`AdamW.setState: "${key}" must be a scalar, got shape [${t.shape.join(', ')}]`);
      } else if (!tf.util.arraysEqual(t.shape, s.variable.shape)) {
        throw new OptimizerError(`AdamW.setState: "${key}" has shape [${t.shape.join(', ')}], parameter "${name}" has [${s.variable.shape.join(', ')}]`);
      }
      const entry = parsed.get(name) ?? {};
      entry[field] = t;
      parsed.set(name, entry);
    }
    const steps = new Map<string, number>();
    for (const [name, e] of parsed) {
      if (!e.step || !e.m || !e.v) {
        throw new OptimizerError(`AdamW.setState: parameter "${name}" needs step/, exp_avg/ and exp_avg_sq/ entries; some are missing`);
      }
      const step = e.step.dataSync()[0]!;
      if (!Number.isInteger(step) || step < 1) throw new OptimizerError(`AdamW.setState: step/${name} must be a positive integer, got ${step}`);
      steps.set(name, step);
    }
    for (const s of this.slots.values()) {
      s.expAvg?.dispose();
      s.expAvgSq?.dispose();
      const e = parsed.get(s.name);
      if (e) {
        s.step = steps.get(s.name)!;
        s.expAvg = tf.keep(tf.tidy(() => tf.cast(e.m!, 'float32').clone()));
        s.expAvgSq = tf.keep(tf.tidy(() => tf.cast(e.v!, 'float32').clone()));
      } else {
        s.step = 0;
        s.expAvg = null;
        s.expAvgSq = null;
      }
    }
  }

  /** Release the moment tensors. The variables stay owned by their model. */
  dispose(): void {
    for (const s of this.slots.values()) {
      s.expAvg?.dispose();
      s.expAvgSq?.dispose();
      s.expAvg = null;
      s.expAvgSq = null;
    }
    this.disposed = true;
  }
}
