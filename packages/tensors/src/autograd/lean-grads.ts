import * as tf from '@tensorflow/tfjs';
import { GradientError } from './errors';
import { filterTapeToOutput, type TapeNode } from './tape';

/** The parts of tfjs's engine that a backward pass needs (present in tfjs-core 4.x; not public API). */
interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  startTape(): void;
  endTape(): void;
  scopedRun<R>(start: () => void, end: () => void, f: () => R): R;
  tidy<T extends tf.TensorContainer>(name: string, f: () => T): T;
}

function engineInternals(): EngineInternals | null {
  const engine = tf.engine() as unknown as Partial<EngineInternals>;
  const ok =
    typeof engine.startTape === 'function' &&
    typeof engine.endTape === 'function' &&
    typeof engine.scopedRun === 'function' &&
    typeof engine.tidy === 'function' &&
    engine.state != null &&
    typeof engine.state.gradientDepth === 'number';
  return ok ? (engine as EngineInternals) : null;
}

/** Whether {@link leanVariableGrads} can use its own backward pass with this tfjs build. */
export function leanGradsSupported(): boolean {
  return engineInternals() !== null;
}

/**
 * Gradients of the tensors being back-propagated, keyed by tensor id, with a count of how many
 * entries hold each tensor object (a gradient function may hand the same object to two inputs,
 * or pass `dy` straight through): an object is disposed only when no entry holds it any more.
 */
class GradientStore {
  private readonly byId = new Map<number, tf.Tensor>();
  private readonly holders = new Map<tf.Tensor, number>();

  get(id: number): tf.Tensor | undefined {
    return this.byId.get(id);
  }

  set(id: number, t: tf.Tensor): void {
    this.byId.set(id, t);
    this.holders.set(t, (this.holders.get(t) ?? 0) + 1);
  }

  /** Remove the entry and dispose its tensor if nothing else holds it. */
  release(id: number): void {
    const t = this.byId.get(id);
    if (!t) return;
    this.byId.delete(id);
    const left = (this.holders.get(t) ?? 1) - 1;
    if (left > 0) this.holders.set(t, left);
    else {
      this.holders.delete(t);
      t.dispose();
    }
  }

  /** Dispose `t` unless an entry holds it. */
  disposeIfUnheld(t: tf.Tensor): void {
    if (!this.holders.has(t)) t.dispose();
  }

  /** Add `dx` into the gradient of tensor `id`. */
  accumulate(id: number, dx: tf.Tensor): void {
    const current = this.byId.get(id);
    if (!current) {
      this.set(id, dx);
      return;
    }
    const sum = tf.add(current, dx);
    this.release(id);
    this.disposeIfUnheld(dx);
    this.set(id, sum);
  }
}

function disposeSaved(node: TapeNode): void {
  for (const t of node.saved ?? []) t.dispose();
}

/**
 * Back-propagate from `y` through `tape`, freeing as it goes: after a node's input gradients are
 * computed, the gradients of its outputs and the forward tensors it saved are disposed (the stock
 * `backpropagateGradients` keeps both until the whole backward pass ends). Returns the gradients of
 * `xs` (null where `y` does not depend on one).
 */
function backpropagateFreeing(tape: TapeNode[], xs: readonly tf.Tensor[], y: tf.Tensor): (tf.Tensor | null)[] {
  const store = new GradientStore();
  store.set(y.id, tf.onesLike(y));
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i] as TapeNode;
    const gradient = node.gradient;
    if (!gradient) throw new GradientError(`Cannot compute the gradient: the op ${node.kernelName} has no gradient function.`);
    const dys = node.outputs.map((o) => store.get(o.id) ?? null);
    const inputNames = Object.keys(node.inputs);
    // One tidy per node: intermediates of the gradient function (including a custom op's) die here.
    const dxs = tf.tidy(() => {
      const byInput = gradient(dys);
      return inputNames.map((name) => {
        const fn = byInput[name];
        if (!fn) throw new GradientError(`Cannot back-propagate through input "${name}" of ${node.kernelName}: its gradient function returned ${Object.keys(byInput).join(', ')}.`);
        return fn();
      });
    });
    inputNames.forEach((name, k) => {
      const x = node.inputs[name] as tf.Tensor;
      const dx = dxs[k] as tf.Tensor;
      if (dx.dtype !== 'float32') {
        throw new GradientError(`The gradient of input "${name}" of ${node.kernelName} has dtype ${dx.dtype}; gradients must be float32.`);
      }
      if (!tf.util.arraysEqual(dx.shape, x.shape)) {
        throw new GradientError(`The gradient of input "${name}" of ${node.kernelName} has shape [${dx.shape}], not the input's [${x.shape}].`);
      }
      store.accumulate(x.id, dx);
    });
    for (const o of node.outputs) store.release(o.id);
    disposeSaved(node);
  }
  return xs.map((x) => store.get(x.id) ?? null);
}

/** Value and gradients, as `tf.variableGrads` returns them. */
export interface VariableGrads {
  value: tf.Scalar;
  grads: tf.NamedTensorMap;
}

/**
 * `tf.variableGrads` with the memory behaviour of PyTorch's autograd: identical values and
 * gradients, but each intermediate gradient and each tensor a forward op saved for its gradient is
 * disposed as soon as the backward pass has used it, and tensors saved by ops off the path from
 * the variables to the loss are disposed before the backward pass starts. tfjs's own
 * `variableGrads` keeps all of them until the backward pass ends, which for a ConvNeXt V2
 * pretraining step roughly doubles peak memory.
 *
 * It drives tfjs's tape through engine internals that are not public API; when they are missing
 * (another tfjs major) or when it is called inside another gradient computation (higher-order
 * gradients), it falls back to `tf.variableGrads`. Only trainable variables get gradients, as in
 * `tf.variableGrads`; variables the loss does not depend on are absent from `grads`.
 *
 * @param f - computes the scalar loss; every op from the variables to the loss must run inside it.
 * @param varList - the variables to differentiate with respect to (default: every trainable variable).
 * @example
 * ```ts
 * const { value, grads } = leanVariableGrads(() => model.computeLoss(batch, mask).total, variables);
 * ```
 */
export function leanVariableGrads(f: () => tf.Scalar, varList?: tf.Variable[]): VariableGrads {
  const engine = engineInternals();
  if (!engine || engine.state.gradientDepth > 0) return tf.variableGrads(f, varList) as VariableGrads;
  const requested = varList ?? Object.values(tf.engine().registeredVariables);
  const xs = requested.filter((v) => v.trainable);
  if (xs.length === 0) {
    throw new GradientError(`leanVariableGrads: none of the ${requested.length} variables is trainable; pass trainable variables.`);
  }
  let tape: TapeNode[] = [];
  let y: tf.TensorContainer | undefined;
  try {
    y = engine.scopedRun(
      () => engine.startTape(),
      () => engine.endTape(),
      () => engine.tidy('forward', f),
    );
    tape = engine.state.activeTape ?? [];
    if (!(y instanceof tf.Tensor) || y.rank !== 0) {
      throw new GradientError(`leanVariableGrads: f must return a scalar tensor, but it returned ${y instanceof tf.Tensor ? `a rank-${y.rank} tensor` : String(y)}.`);
    }
    const loss: tf.Tensor = y;
    const path = filterTapeToOutput(tape, xs, loss);
    const onPath = new Set(path.map((n) => n.id));
    // Saved tensors of ops whose gradient is never needed (masks, targets, statistics): free now.
    for (const node of tape) if (!onPath.has(node.id)) disposeSaved(node);
    const named = engine.tidy('backward', () => {
      const grads = backpropagateFreeing(path, xs, loss);
      const byName: tf.NamedTensorMap = {};
      xs.forEach((x, i) => {
        const g = grads[i];
        if (g) byName[x.name] = g;
      });
      return byName;
    });
    if (Object.keys(named).length === 0) {
      throw new GradientError('leanVariableGrads: the loss does not depend on any of the variables; make sure every op that uses them runs inside f.');
    }
    return { value: loss as tf.Scalar, grads: named };
  } catch (error) {
    if (y instanceof tf.Tensor) y.dispose();
    throw error;
  } finally {
    for (const node of tape) disposeSaved(node);
    if (engine.state.gradientDepth === 0) engine.state.activeTape = null;
  }
}
