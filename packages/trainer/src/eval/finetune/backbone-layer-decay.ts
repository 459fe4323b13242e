import type { Backbone } from '@terramae/backbones';
import { convnextLayerDecay, vitLayerDecay, type LayerDecay } from '../../optim/layer-decay';
import { EvaluationError } from '../errors';

/**
 * The layer-wise learning-rate decay rule of a backbone: MMEarth's ConvNeXt "single" rule for
 * grid backbones with `config.depths`, MAE's ViT rule for token backbones with `config.depth`.
 * Other backbones need an explicit {@link LayerDecay}.
 */
export function layerDecayFor(backbone: Backbone, decay: number): LayerDecay {
  const config = (backbone as unknown as { config?: { depths?: unknown; depth?: unknown } }).config;
  if (backbone.layout === 'grid' && Array.isArray(config?.depths)) return convnextLayerDecay(config.depths as number[], decay);
  if (backbone.layout === 'tokens' && typeof config?.depth === 'number') return vitLayerDecay(config.depth, decay);
  throw new EvaluationError(
    `layerDecayFor: cannot tell the layer structure of this ${backbone.layout} backbone (no config.depths / config.depth); pass a LayerDecay (convnextLayerDecay, vitLayerDecay or your own) as 'layerDecay'.`,
  );
}
