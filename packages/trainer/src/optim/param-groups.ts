import type * as tf from '@tensorflow/tfjs';
import { OptimizerError } from './errors';
import { layerDecayScale, type LayerDecay } from './layer-decay';
import { variableEntries, type NamedVariables } from './named';

/** One AdamW parameter group: its variables by name, a learning-rate scale and a weight decay. */
export interface ParamGroup {
  /** Label for logs, e.g. `decay`, `no_decay`, `layer_3_no_decay` (the references' group names). */
  readonly name: string;
  /** The variables of the group, keyed by parameter (state-dict) name. */
  readonly params: ReadonlyMap<string, tf.Variable>;
  /** Multiplies the scheduled learning rate (layer-wise decay); 1 without it. */
  readonly lrScale: number;
  /** Decoupled weight decay of the group. */
  readonly weightDecay: number;
  /** Layer id (only with layer-wise decay). */
  readonly layerId?: number;
}

/**
 * Which parameters get no weight decay.
 * - `'timm'`: 0- and 1-D parameters, names ending in `.bias`, and the skip list. timm's
 *   `add_weight_decay` / `param_groups_weight_decay`, used by MAE and MMEarth pretraining (with
 *   an empty skip list there), and MAE fine-tuning (`param_groups_lrd`, skip list
 *   `pos_embed, cls_token, dist_token`).
 * - `'convnext'`: `'timm'` plus names ending in `.gamma` or `.beta` (the GRN parameters, stored
 *   4-D): MMEarth-train's `optim_factory.get_parameter_groups` (fine-tuning).
 * - `'norm-bias'`: names containing `norm` or `bias`, plus the skip list: NeighborMAE's
 *   `--filter_norm_bias` (tokens and `img_embed` are decayed).
 * - `'none'`: every parameter is decayed except the skip list.
 * - or your own predicate.
 */
export type NoDecayRule = 'timm' | 'convnext' | 'norm-bias' | 'none' | ((name: string, variable: tf.Variable) => boolean);

/**
 * Names that ViT models declare as `no_weight_decay()` in the references (timm/MAE); pass them as
 * {@link ParamGroupRules.skipList} for fine-tuning. The pretraining scripts of MAE, MMEarth and
 * NeighborMAE pass no skip list: there `cls_token` and `mask_token` (3-D/4-D) are decayed.
 */
export const VIT_NO_WEIGHT_DECAY: readonly string[] = ['pos_embed', 'cls_token', 'dist_token'];

/** How {@link buildParamGroups} splits parameters. */
export interface ParamGroupRules {
  /** Weight decay of the decayed groups (0.05 in MAE/MMEarth/NeighborMAE pretraining). */
  readonly weightDecay: number;
  /** Which parameters are not decayed. Default `'timm'`. */
  readonly noDecay?: NoDecayRule;
  /** Extra parameter names without weight decay (exact names), e.g. what the model declares. */
  readonly skipList?: Iterable<string>;
  /** Layer-wise learning-rate decay; see `convnextLayerDecay` and `vitLayerDecay`. */
  readonly layerDecay?: LayerDecay;
  /** Parameters left out of every group (frozen), by name or predicate. */
  readonly frozen?: Iterable<string> | ((name: string) => boolean);
}

function ruleOf(rule: NoDecayRule): (name: string, v: tf.Variable) => boolean {
  switch (rule) {
    case 'timm':
      return (name, v) => v.rank <= 1 || name.endsWith('.bias');
    case 'convnext':
      return (name, v) => v.rank <= 1 || name.endsWith('.bias') || name.endsWith('.gamma') || name.endsWith('.beta');
    case 'norm-bias':
      return (name) => name.includes('norm') || name.includes('bias');
    case 'none':
      return () => false;
    default:
      if (typeof rule === 'function') return rule;
      throw new OptimizerError(`buildParamGroups: unknown noDecay rule "${String(rule)}"; use 'timm', 'convnext', 'norm-bias', 'none' or a predicate`);
  }
}

/**
 * Split named variables into AdamW parameter groups, the way the reference training scripts do:
 * a `decay` and a `no_decay` group, or with layer-wise decay one group per (layer id, decay)
 * pair named `layer_<id>_<decay|no_decay>` with `lrScale = decay ** (numLayers + 1 - id)`.
 * Groups appear in the order their first parameter does; empty groups are not returned.
 *
 * @example
 * ```ts
 * const groups = buildParamGroups(model.namedVariables(), { weightDecay: 0.05 });
 * const ft = buildParamGroups(vars, {
 *   weightDecay: 0.3, noDecay: 'convnext', layerDecay: convnextLayerDecay([2, 2, 6, 2], 0.9),
 * });
 * ```
 */
export function buildParamGroups(namedVariables: NamedVariables, rules: ParamGroupRules): ParamGroup[] {
  if (!(rules.weightDecay >= 0)) {
    throw new OptimizerError(`buildParamGroups: weightDecay must be >= 0, got ${rules.weightDecay}`);
  }
  const noDecay = ruleOf(rules.noDecay ?? 'timm');
  const skip = new Set(rules.skipList ?? []);
  const frozenRule = rules.frozen;
  const frozenSet = typeof frozenRule === 'function' || frozenRule === undefined ? undefined : new Set(frozenRule);
  const isFrozen = (name: string): boolean =>
    typeof frozenRule === 'function' ? frozenRule(name) : (frozenSet?.has(name) ?? false);

  const groups = new Map<string, { name: string; params: Map<string, tf.Variable>; lrScale: number; weightDecay: number; layerId?: number }>();
  const seen = new Set<string>();
  for (const [name, variable] of variableEntries(namedVariables)) {
    if (seen.has(name)) throw new OptimizerError(`buildParamGroups: parameter "${name}" is listed twice; names must be unique`);
    seen.add(name);
    if (isFrozen(name) || variable.trainable === false) continue;
    const decayed = !(skip.has(name) || noDecay(name, variable));
    const suffix = decayed ? 'decay' : 'no_decay';
    let key = suffix;
    let lrScale = 1;
    let layerId: number | undefined;
    if (rules.layerDecay) {
      const ld = rules.layerDecay;
      layerId = ld.layerId(name);
      lrScale = layerDecayScale(ld.decay, ld.numLayers, layerId);
      key = `layer_${layerId}_${suffix}`;
    }
    let group = groups.get(key);
    if (!group) {
      group = { name: key, params: new Map(), lrScale, weightDecay: decayed ? rules.weightDecay : 0 };
      if (layerId !== undefined) group.layerId = layerId;
      groups.set(key, group);
    }
    group.params.set(name, variable);
  }
  return [...groups.values()];
}
