import { registerBackbone, type BackboneEntry } from '../registry';
import { VIT_SIZES, vitParameterCount, type VitInputOptions, type VitSizeName } from './config';
import { createVit } from './factories';

const PAPER =
  'Dosovitskiy et al., "An Image is Worth 16x16 Words", ICLR 2021; He et al., "Masked Autoencoders Are Scalable Vision Learners", CVPR 2022; ' +
  "posEmbed 'box': Zeng et al., \"NeighborMAE\", CVPR 2026 (arXiv 2603.02522)";
const LICENSE =
  'This implementation: MIT. Reference code and weights: facebookresearch/mae CC BY-NC 4.0 (timm blocks Apache-2.0); LeungTsang/NeighborMAE states no license.';
const SOURCE = 'facebookresearch/mae@efb2a80 models_mae.py; LeungTsang/NeighborMAE@ad880e4 models/neighbor_mae.py, models/block.py';

function entry(size: VitSizeName): BackboneEntry<VitInputOptions> {
  const s = VIT_SIZES[size];
  const referenceConfig = { patchSize: s.patchSize, inChannels: 3, imageSize: 224, posEmbed: 'sincos' } as const;
  return {
    name: `vit_${size}`,
    create: (options?: VitInputOptions) => createVit(size, options),
    metadata: {
      family: 'vit',
      paper: PAPER,
      license: LICENSE,
      parameterCount: vitParameterCount({ ...s, ...referenceConfig }),
      referenceConfig: { embedDim: s.embedDim, depth: s.depth, numHeads: s.numHeads, ...referenceConfig },
      source: SOURCE,
    },
  };
}

/** The registry entries of every ViT size (`vit_tiny` … `vit_huge`). Options of `create` are {@link VitInputOptions}. */
export const VIT_BACKBONES: readonly BackboneEntry<VitInputOptions>[] = (Object.keys(VIT_SIZES) as VitSizeName[]).map(entry);

const REGISTERED = Symbol.for('terramae.backbones.vit.registered');

/** Register every ViT size in the backbone registry (done once when the package loads; repeat calls do nothing). */
export function registerVitBackbones(): void {
  const g = globalThis as unknown as Record<symbol, boolean | undefined>;
  if (g[REGISTERED]) return;
  g[REGISTERED] = true;
  for (const e of VIT_BACKBONES) registerBackbone(e);
}

registerVitBackbones();
