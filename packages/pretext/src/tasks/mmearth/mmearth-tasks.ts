import type { PretextTaskInstance } from '../../api/task';
import { FCMAE_DECODER_DEFAULTS, type FcmaeDecoderConfig } from '../../decoders/fcmae-decoder';
import { imageClassificationTask } from './image-classification';
import { imageRegressionTask } from './image-regression';
import { pixelClassificationTask } from './pixel-classification';
import { pixelReconstructionTask } from './pixel-reconstruction';
import { MMEarthTaskError } from './errors';

/** MMEarth's five pretraining configurations (`S2`, `img_mod`, `pix_mod`, `all_mod`, `rgb`). */
export type MMEarthConfigName = 's2' | 'img' | 'pix' | 'all' | 'rgb';

/** Options of {@link mmearthTasks}. */
export interface MMEarthTasksOptions {
  /** The encoder's input modality (reconstructed with norm-pix). Default `sentinel2`. */
  readonly inputModality?: string;
  /** Per-patch normalised S2 target (`--norm_pix_loss`, True in every MMEarth run). Default true. */
  readonly normPix?: boolean;
  /** Loss over `masked` patches (MMEarth) or `all`. Default `masked`. */
  readonly patches?: 'masked' | 'all';
  /**
   * Replace non-finite continuous pixel targets by 0 as `FCMAE.forward` does (true, default), or
   * skip them as `forward_loss` alone does (false).
   */
  readonly nanToZero?: boolean;
  /** Decoder settings (default: MMEarth's shared 512-wide, 1-block decoder). */
  readonly decoder?: Partial<FcmaeDecoderConfig>;
}

/**
 * How MMEarth supervises an output modality: `recon` (input reconstruction), `pixcont` / `pixcat`
 * (pixel-level continuous / categorical), `imgcont` / `imgcat` (image-level continuous / categorical).
 */
export type MMEarthTaskKind = 'recon' | 'pixcont' | 'pixcat' | 'imgcont' | 'imgcat';

/** MMEarth's 12 output modalities in loss order (`MODALITIES.py` OUT_MODALITIES), with their task kind. */
export const MMEARTH_TASK_ORDER: readonly { readonly modality: string; readonly kind: MMEarthTaskKind }[] = [
  { modality: 'sentinel2', kind: 'recon' },
  { modality: 'sentinel1', kind: 'pixcont' },
  { modality: 'aster', kind: 'pixcont' },
  { modality: 'era5', kind: 'imgcont' },
  { modality: 'dynamic_world', kind: 'pixcat' },
  { modality: 'canopy_height_eth', kind: 'pixcont' },
  { modality: 'lat', kind: 'imgcont' },
  { modality: 'lon', kind: 'imgcont' },
  { modality: 'biome', kind: 'imgcat' },
  { modality: 'eco_region', kind: 'imgcat' },
  { modality: 'month', kind: 'imgcont' },
  { modality: 'esa_worldcover', kind: 'pixcat' },
];

/**
 * The task list of one of MMEarth's pretraining configurations, in MMEarth's loss order, with task
 * ids equal to the modality names (so heads are `heads.<modality>.*`, as the reference's
 * `pred_dict.<modality>`):
 *
 * - `s2`: S2 reconstruction only (plain FCMAE on 12 bands);
 * - `img`: S2 + ERA5, lat, lon, biome, ecoregion, month;
 * - `pix`: S2 + S1, ASTER, Dynamic World, canopy height, WorldCover;
 * - `all`: all 12 (`all_mod`, the released default);
 * - `rgb`: S2 reconstruction of the input only, for a dataset that selects B2, B3, B4 (BGR, as MMEarth).
 *
 * Pair with `createMaskingStrategy('fcmae', { ratio: 0.6 })` and the `uncertainty` (or `sum`)
 * aggregator.
 */
export function mmearthTasks(config: MMEarthConfigName, options: MMEarthTasksOptions = {}): PretextTaskInstance[] {
  if (!['s2', 'img', 'pix', 'all', 'rgb'].includes(config)) {
    throw new MMEarthTaskError(`mmearthTasks: unknown configuration '${String(config)}'; use one of s2, img, pix, all, rgb`);
  }
  const input = options.inputModality ?? 'sentinel2';
  const decoder: FcmaeDecoderConfig = { ...FCMAE_DECODER_DEFAULTS, ...options.decoder };
  const patches = options.patches ?? 'masked';
  const nanToZero = options.nanToZero ?? true;
  const wanted = (k: MMEarthTaskKind): boolean =>
    k === 'recon' || config === 'all' || (config === 'img' && (k === 'imgcont' || k === 'imgcat')) || (config === 'pix' && (k === 'pixcont' || k === 'pixcat'));
  const out: PretextTaskInstance[] = [];
  for (const { modality, kind } of MMEARTH_TASK_ORDER) {
    if (!wanted(kind)) continue;
    const m = kind === 'recon' ? input : modality;
    switch (kind) {
      case 'recon':
      case 'pixcont':
        out.push({
          definition: pixelReconstructionTask,
          config: { modality: m, normPix: kind === 'recon' ? (options.normPix ?? true) : false, eps: 1e-6, patches, nanToZero, decoder },
          id: m,
        } as PretextTaskInstance);
        break;
      case 'pixcat':
        out.push({ definition: pixelClassificationTask, config: { modality: m, patches, decoder }, id: m } as PretextTaskInstance);
        break;
      case 'imgcont':
        out.push({ definition: imageRegressionTask, config: { modality: m, decoder }, id: m } as PretextTaskInstance);
        break;
      case 'imgcat':
        out.push({ definition: imageClassificationTask, config: { modality: m, decoder }, id: m } as PretextTaskInstance);
        break;
    }
  }
  return out;
}
