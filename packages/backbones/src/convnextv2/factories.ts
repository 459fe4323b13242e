import type { BackboneMetadata } from '../types';
import { convnextv2ParameterCount, type ConvNeXtV2Options } from './config';
import { ConvNeXtV2 } from './convnextv2';
import { ConvNeXtV2ConfigError } from './errors';
import { CONVNEXTV2_SIZES, type ConvNeXtV2SizeName } from './sizes';

/** The configuration a size's `parameterCount` metadata refers to (MMEarth's pretraining encoder). */
export const CONVNEXTV2_REFERENCE_CONFIG: Readonly<Required<Pick<ConvNeXtV2Options, 'inChannels' | 'patchSize' | 'stem' | 'numClasses' | 'finalNorm'>>> =
  Object.freeze({ inChannels: 12, patchSize: 8, stem: 'mmearth', numClasses: 0, finalNorm: false });

const OPTION_KEYS: readonly (keyof ConvNeXtV2Options)[] = [
  'inChannels',
  'patchSize',
  'stem',
  'padding',
  'dropPathRate',
  'numClasses',
  'finalNorm',
  'headInitScale',
  'grnEps',
  'maskedGrnEps',
  'maskedGrnStatistics',
  'dropZeroPixels',
  'seed',
  'rng',
];

/** Paper, license and size facts of one ConvNeXt V2 size (parameter count at {@link CONVNEXTV2_REFERENCE_CONFIG}). */
export function convnextv2Metadata(size: ConvNeXtV2SizeName): BackboneMetadata {
  const s = CONVNEXTV2_SIZES[size];
  return {
    family: 'convnextv2',
    paper:
      'Woo et al., "ConvNeXt V2: Co-designing and Scaling ConvNets with Masked Autoencoders", CVPR 2023 (arXiv:2301.00808); ' +
      'modified stem and multi-modal pretraining: Nedungadi et al., "MMEarth", ECCV 2024 (arXiv:2405.02771)',
    license: 'MIT (facebookresearch/ConvNeXt-V2 code; its ImageNet weights are CC-BY-NC-4.0)',
    parameterCount: convnextv2ParameterCount({ ...s, ...CONVNEXTV2_REFERENCE_CONFIG }),
    referenceConfig: { size, depths: [...s.depths], dims: [...s.dims], ...CONVNEXTV2_REFERENCE_CONFIG },
    source: 'https://github.com/vishalned/MMEarth-train (models/convnextv2.py, models/convnextv2_sparse.py)',
  };
}

/**
 * Build a ConvNeXt V2 of a named size. `options` is checked for unknown keys (a typo such as
 * `inChanels` is an error, not a silent default).
 */
export function createConvNeXtV2(size: ConvNeXtV2SizeName, options: ConvNeXtV2Options = {}): ConvNeXtV2 {
  const sizeConfig = CONVNEXTV2_SIZES[size];
  if (!sizeConfig) {
    throw new ConvNeXtV2ConfigError(`ConvNeXt V2: unknown size '${String(size)}'; use one of ${Object.keys(CONVNEXTV2_SIZES).join(', ')}.`);
  }
  const unknown = Object.keys(options ?? {}).filter((k) => !(OPTION_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new ConvNeXtV2ConfigError(
      `convnextv2_${size}: unknown option(s) ${unknown.map((k) => `'${k}'`).join(', ')}; known options: ${OPTION_KEYS.join(', ')}.`,
    );
  }
  return new ConvNeXtV2({ ...sizeConfig, ...options });
}

/** ConvNeXt V2 atto (depths 2,2,6,2; dims 40,80,160,320): 3.39 M encoder parameters at 12 bands. */
export function convnextv2Atto(options: ConvNeXtV2Options = {}): ConvNeXtV2 {
  return createConvNeXtV2('atto', options);
}

/** ConvNeXt V2 femto (depths 2,2,6,2; dims 48,96,192,384): 4.85 M encoder parameters at 12 bands. */
export function convnextv2Femto(options: ConvNeXtV2Options = {}): ConvNeXtV2 {
  return createConvNeXtV2('femto', options);
}

/** ConvNeXt V2 pico (depths 2,2,6,2; dims 64,128,256,512): 8.56 M encoder parameters at 12 bands. */
export function convnextv2Pico(options: ConvNeXtV2Options = {}): ConvNeXtV2 {
  return createConvNeXtV2('pico', options);
}

/** ConvNeXt V2 nano (depths 2,2,8,2; dims 80,160,320,640): 14.99 M encoder parameters at 12 bands. */
export function convnextv2Nano(options: ConvNeXtV2Options = {}): ConvNeXtV2 {
  return createConvNeXtV2('nano', options);
}

/** ConvNeXt V2 tiny (depths 3,3,9,3; dims 96,192,384,768): 27.87 M encoder parameters at 12 bands. */
export function convnextv2Tiny(options: ConvNeXtV2Options = {}): ConvNeXtV2 {
  return createConvNeXtV2('tiny', options);
}

/** ConvNeXt V2 base (depths 3,3,27,3; dims 128,256,512,1024): 87.70 M encoder parameters at 12 bands. */
export function convnextv2Base(options: ConvNeXtV2Options = {}): ConvNeXtV2 {
  return createConvNeXtV2('base', options);
}

/** ConvNeXt V2 large (depths 3,3,27,3; dims 192,384,768,1536): 196.43 M encoder parameters at 12 bands. */
export function convnextv2Large(options: ConvNeXtV2Options = {}): ConvNeXtV2 {
  return createConvNeXtV2('large', options);
}

/** ConvNeXt V2 huge (depths 3,3,27,3; dims 352,704,1408,2816): 657.49 M encoder parameters at 12 bands. */
export function convnextv2Huge(options: ConvNeXtV2Options = {}): ConvNeXtV2 {
  return createConvNeXtV2('huge', options);
}
