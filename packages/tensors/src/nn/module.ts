import * as tf from '@tensorflow/tfjs';
import { TerramaeError } from '../backend/errors';
import { ModuleError } from './errors';
import { fromTorchLayout, toTorchLayout, torchShapeOf, type TorchLayout } from './torch-layout';

/** A state dict whose keys or shapes do not fit a module. */
export class StateDictError extends TerramaeError {
  constructor(
    message: string,
    /** Keys the module has and the dict lacks. */
    readonly missing: readonly string[],
    /** Keys the dict has and the module lacks. */
    readonly unexpected: readonly string[],
    /** Keys present in both with different shapes. */
    readonly misshaped: readonly { key: string; expected: readonly number[]; got: readonly number[] }[],
  ) {
    super(message);
  }
}

/** Options of a parameter registered with {@link Module.param}. */
export interface ParamOptions {
  /** Whether the optimiser updates it (false for buffers such as MAE's fixed pos_embed). */
  readonly trainable?: boolean;
  /** How the PyTorch tensor of the same name is laid out. Default `same`. */
  readonly torchLayout?: TorchLayout;
  /** For `patch-linear`: the input channel count, to rebuild the PyTorch shape. */
  readonly torchChannels?: number;
  /** Excluded from weight decay whatever its rank (position embeddings, class and mask tokens). */
  readonly noWeightDecay?: boolean;
}

/** A registered parameter with its metadata. */
export interface NamedParameter {
  readonly name: string;
  readonly variable: tf.Variable;
  readonly trainable: boolean;
  readonly torchLayout: TorchLayout;
  readonly torchChannels?: number;
  readonly noWeightDecay: boolean;
}

/**
 * A small parameter container, the base of every model part in terramae. Parameters are named
 * with the reference PyTorch state-dict keys (`stages.0.1.dwconv.weight`), so checkpoint import is
 * a key map plus a per-parameter layout conversion, never guesswork.
 */
export class Module {
  private readonly ownParams = new Map<string, NamedParameter>();
  private readonly children = new Map<string, Module>();
  private isTraining = true;
  private disposed = false;

  /**
   * Register a parameter (takes ownership of `init`, which becomes a tf.Variable, and is disposed
   * even when registration fails). A `patch-linear` parameter needs `torchChannels`.
   */
  protected param(name: string, init: tf.Tensor, options: ParamOptions = {}): tf.Variable {
    try {
      this.checkName(name);
      if (options.torchLayout === 'patch-linear') torchShapeOf(init.shape, 'patch-linear', options.torchChannels);
    } catch (error) {
      init.dispose();
      throw error;
    }
    const trainable = options.trainable ?? true;
    const variable = tf.variable(init, trainable);
    init.dispose();
    this.ownParams.set(name, {
      name,
      variable,
      trainable,
      torchLayout: options.torchLayout ?? 'same',
      ...(options.torchChannels !== undefined ? { torchChannels: options.torchChannels } : {}),
      noWeightDecay: options.noWeightDecay ?? false,
    });
    return variable;
  }

  /** Register a child module under `name` (its parameters are named `name.<child key>`). */
  protected module<M extends Module>(name: string, child: M): M {
    this.checkName(name);
    this.children.set(name, child);
    return child;
  }

  private checkName(name: string): void {
    if (name === '') throw new ModuleError(`${this.constructor.name}: parameter and child names must be non-empty`);
    if (this.ownParams.has(name) || this.children.has(name)) throw new ModuleError(`${this.constructor.name}: duplicate name '${name}'`);
  }

  /**
   * Every parameter of this module and its descendants, with full dotted names: this module's own
   * parameters in registration order, then each child's in registration order (the order of
   * PyTorch's `state_dict()` when modules mirror the reference).
   */
  namedParameters(prefix = ''): NamedParameter[] {
    const out: NamedParameter[] = [];
    for (const p of this.ownParams.values()) out.push({ ...p, name: prefix + p.name });
    for (const [name, child] of this.children) out.push(...child.namedParameters(`${prefix}${name}.`));
    return out;
  }

  /** Trainable variables by full name. */
  trainableVariables(): Map<string, tf.Variable> {
    return new Map(this.namedParameters().filter((p) => p.trainable).map((p) => [p.name, p.variable]));
  }

  /** Number of scalar parameters (trainable and buffers). */
  parameterCount(trainableOnly = false): number {
    return this.namedParameters()
      .filter((p) => !trainableOnly || p.trainable)
      .reduce((s, p) => s + p.variable.size, 0);
  }

  /** Live references to every parameter, in TF.js layout, by full name. */
  stateDict(): Record<string, tf.Variable> {
    return Object.fromEntries(this.namedParameters().map((p) => [p.name, p.variable]));
  }

  /**
   * Assign parameters from a dict in TF.js layout. With `strict` (default), any missing or
   * unexpected key is an error; a shape mismatch always is. Nothing is assigned unless the whole
   * dict fits. Tensors in `dict` are not disposed.
   */
  loadStateDict(dict: Readonly<Record<string, tf.Tensor>>, options: { strict?: boolean } = {}): void {
    this.assign(dict, options.strict ?? true, (p, t) => t, (p) => p.variable.shape);
  }

  /**
   * Assign parameters from a dict in PyTorch layout (the reference code's `state_dict()`),
   * converting each tensor by its parameter's layout. Same checks as {@link Module.loadStateDict}.
   */
  loadTorchStateDict(dict: Readonly<Record<string, tf.Tensor>>, options: { strict?: boolean } = {}): void {
    this.assign(
      dict,
      options.strict ?? true,
      (p, t) => fromTorchLayout(t, p.torchLayout),
      (p) => torchShapeOf(p.variable.shape, p.torchLayout, p.torchChannels),
    );
  }

  /** A copy of every parameter in PyTorch layout under its PyTorch name (caller disposes). */
  torchStateDict(): Record<string, tf.Tensor> {
    return Object.fromEntries(
      this.namedParameters().map((p) => [
        p.name,
        toTorchLayout(p.variable, p.torchLayout, torchShapeOf(p.variable.shape, p.torchLayout, p.torchChannels)),
      ]),
    );
  }

  private assign(
    dict: Readonly<Record<string, tf.Tensor>>,
    strict: boolean,
    convert: (p: NamedParameter, t: tf.Tensor) => tf.Tensor,
    expectedShape: (p: NamedParameter) => readonly number[],
  ): void {
    const params = this.namedParameters();
    const names = new Set(params.map((p) => p.name));
    const has = (key: string) => Object.prototype.hasOwnProperty.call(dict, key);
    const missing = params.filter((p) => !has(p.name)).map((p) => p.name);
    const unexpected = Object.keys(dict).filter((k) => !names.has(k));
    const misshaped = params
      .filter((p) => has(p.name))
      .map((p) => ({ key: p.name, expected: expectedShape(p), got: (dict[p.name] as tf.Tensor).shape }))
      .filter((m) => m.expected.length !== m.got.length || m.expected.some((d, i) => d !== m.got[i]));
    if (misshaped.length > 0 || (strict && (missing.length > 0 || unexpected.length > 0))) {
      const lines = [`${this.constructor.name}: the state dict does not fit this model.`];
      if (missing.length) lines.push(`  missing (${missing.length}): ${missing.join(', ')}`);
      if (unexpected.length) lines.push(`  unexpected (${unexpected.length}): ${unexpected.join(', ')}`);
      for (const m of misshaped) lines.push(`  shape of ${m.key}: expected [${m.expected.join(', ')}], got [${m.got.join(', ')}]`);
      lines.push(strict ? '  Use { strict: false } to load a partial dict; shapes must always match.' : '  Shapes must match.');
      throw new StateDictError(lines.join('\n'), missing, unexpected, misshaped);
    }
    for (const p of params) {
      if (!has(p.name)) continue;
      const t = dict[p.name] as tf.Tensor;
      tf.tidy(() => {
        const value = convert(p, t);
        p.variable.assign(value.dtype === p.variable.dtype ? value : value.cast(p.variable.dtype));
      });
    }
  }

  /** Child modules by name. */
  namedChildren(): [string, Module][] {
    return [...this.children];
  }

  /** Whether the module is in training mode (drop path active). */
  get training(): boolean {
    return this.isTraining;
  }

  /** Set training mode on this module and every descendant. */
  train(mode = true): this {
    this.isTraining = mode;
    for (const child of this.children.values()) child.train(mode);
    return this;
  }

  /** Evaluation mode (no drop path). */
  eval(): this {
    return this.train(false);
  }

  /** Dispose every variable of this module and its descendants. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of this.ownParams.values()) p.variable.dispose();
    for (const child of this.children.values()) child.dispose();
  }
}

/** A numbered list of modules (`blocks.0`, `blocks.1`, …), like PyTorch's `nn.ModuleList`. */
export class ModuleList<M extends Module = Module> extends Module {
  readonly items: M[] = [];
  constructor(items: Iterable<M> = []) {
    super();
    for (const m of items) this.push(m);
  }
  /** Append a module under the next index. */
  push(m: M): M {
    this.module(String(this.items.length), m);
    this.items.push(m);
    return m;
  }
  get length(): number {
    return this.items.length;
  }
}
