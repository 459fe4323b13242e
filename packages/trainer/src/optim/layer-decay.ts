import { OptimizerError } from './errors';

/**
 * Layer-wise learning-rate decay: a function from parameter name to layer id, and the number of
 * layers. A parameter with layer id `i` trains with learning-rate scale
 * `decay ** (numLayers + 1 - i)`, so the top id `numLayers + 1` (heads, final norms) keeps the
 * full learning rate and id 0 (the embedding) gets the smallest.
 */
export interface LayerDecay {
  /** The decay factor per layer, e.g. 0.9 (MMEarth fine-tuning) or 0.75 (MAE ViT-L). */
  readonly decay: number;
  /** Number of layers: the largest id is `numLayers + 1`. */
  readonly numLayers: number;
  /** Layer id of a parameter, `0 ≤ id ≤ numLayers + 1`. */
  readonly layerId: (name: string) => number;
}

/** The learning-rate scale of layer `id`: `decay ** (numLayers + 1 - id)`. */
export function layerDecayScale(decay: number, numLayers: number, id: number): number {
  if (!Number.isInteger(id) || id < 0 || id > numLayers + 1) {
    throw new OptimizerError(`layer decay: layer id ${id} is outside 0..${numLayers + 1} (numLayers = ${numLayers}); fix the layerId function`);
  }
  return decay ** (numLayers + 1 - id);
}

function indexAt(name: string, position: number, what: string): number {
  const part = name.split('.')[position];
  const value = part === undefined ? Number.NaN : Number(part);
  if (!Number.isInteger(value) || value < 0) {
    throw new OptimizerError(`layer decay: parameter "${name}" has no ${what} index at position ${position} of its dotted name`);
  }
  return value;
}

/**
 * The ConvNeXt V2 "single" layer-id rule of MMEarth-train (`optim_factory.get_num_layer_for_convnext_single`):
 * `downsample_layers.i.*` gets `Σ depths[:i] + 1`, block `j` of stage `s` (`stages.s.j.*`) gets
 * `Σ depths[:s] + j + 1`, and everything else (`initial_conv`, `stem`, the final `norm`, the
 * `head`) gets the top id `Σ depths + 1`, i.e. the full learning rate. `numLayers = Σ depths`.
 */
export function convnextLayerDecay(depths: readonly number[], decay: number): LayerDecay {
  if (depths.length === 0 || depths.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new OptimizerError(`convnextLayerDecay: depths must be non-negative integers, got [${depths.join(', ')}]`);
  }
  const total = depths.reduce((a, b) => a + b, 0);
  const before = (stage: number, name: string): number => {
    if (stage >= depths.length) {
      throw new OptimizerError(`convnextLayerDecay: parameter "${name}" refers to stage ${stage}, but depths has ${depths.length} stages`);
    }
    return depths.slice(0, stage).reduce((a, b) => a + b, 0);
  };
  return {
    decay,
    numLayers: total,
    layerId(name: string): number {
      if (name.startsWith('downsample_layers')) return before(indexAt(name, 1, 'stage'), name) + 1;
      if (name.startsWith('stages')) {
        const stage = indexAt(name, 1, 'stage');
        return before(stage, name) + indexAt(name, 2, 'block') + 1;
      }
      return total + 1;
    },
  };
}

/**
 * The ViT layer-id rule of facebookresearch/mae (`util/lr_decay.get_layer_id_for_vit`):
 * `cls_token`, `pos_embed` and `patch_embed.*` get 0, `blocks.i.*` gets `i + 1`, everything else
 * (final norm, head) gets `depth + 1`. `numLayers = depth` (the number of encoder blocks).
 */
export function vitLayerDecay(depth: number, decay: number): LayerDecay {
  if (!Number.isInteger(depth) || depth < 0) {
    throw new OptimizerError(`vitLayerDecay: depth must be a non-negative integer, got ${depth}`);
  }
  return {
    decay,
    numLayers: depth,
    layerId(name: string): number {
      if (name === 'cls_token' || name === 'pos_embed' || name.startsWith('patch_embed')) return 0;
      if (name.startsWith('blocks')) return indexAt(name, 1, 'block') + 1;
      return depth + 1;
    },
  };
}
