import type { ModalityDefinition } from './modality-definition';
import {
  DYNAMIC_WORLD_REMAP,
  ESA_WORLDCOVER_REMAP,
  SENTINEL2_QA60_REMAP,
  SENTINEL2_SCL_REMAP,
} from './label-remap';

/** The ignore label MMEarth uses for missing classes. */
export const MMEARTH_IGNORE_INDEX = -1;

/** Sentinel-2 bands as MMEarth stores them: 13 bands, B8A before B8, B10 included. */
export const MMEARTH_S2_BANDS = [
  'B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8A', 'B8', 'B9', 'B10', 'B11', 'B12',
] as const;

/** The 12 Sentinel-2 bands MMEarth feeds the encoder (B10 dropped), in MMEarth's order. */
export const MMEARTH_S2_INPUT_BANDS = [
  'B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8A', 'B8', 'B9', 'B11', 'B12',
] as const;

/** Sentinel-1 channels: ascending then descending pass, VV, VH, HH, HV each. */
export const MMEARTH_S1_BANDS = [
  'asc_VV', 'asc_VH', 'asc_HH', 'asc_HV', 'desc_VV', 'desc_VH', 'desc_HH', 'desc_HV',
] as const;

/** ERA5-Land monthly aggregates: previous month, S2 month, and the 12 months to the S2 month. */
export const MMEARTH_ERA5_BANDS = [
  'prev_month_avg_temp', 'prev_month_min_temp', 'prev_month_max_temp', 'prev_month_total_precip',
  'curr_month_avg_temp', 'curr_month_min_temp', 'curr_month_max_temp', 'curr_month_total_precip',
  'year_avg_temp', 'year_min_temp', 'year_max_temp', 'year_total_precip',
] as const;

/** Dynamic World class names after the remap (index = class). */
export const DYNAMIC_WORLD_CLASSES = [
  'water', 'trees', 'grass', 'flooded_vegetation', 'crops', 'shrub_and_scrub', 'built', 'bare', 'snow_and_ice',
] as const;

/** ESA WorldCover class names after the remap (index = class; codes 10..100). */
export const ESA_WORLDCOVER_CLASSES = [
  'tree_cover', 'shrubland', 'grassland', 'cropland', 'built_up', 'bare_sparse_vegetation',
  'snow_and_ice', 'permanent_water', 'herbaceous_wetland', 'mangroves', 'moss_and_lichen',
] as const;

/** RESOLVE 2017 biomes in MMEarth's class order (`stats/biome_labels.json`). */
export const MMEARTH_BIOME_CLASSES = [
  'Tundra',
  'Tropical & Subtropical Moist Broadleaf Forests',
  'Mediterranean Forests, Woodlands & Scrub',
  'Deserts & Xeric Shrublands',
  'Temperate Grasslands, Savannas & Shrublands',
  'Boreal Forests/Taiga',
  'Temperate Conifer Forests',
  'Temperate Broadleaf & Mixed Forests',
  'Montane Grasslands & Shrublands',
  'Mangroves',
  'Flooded Grasslands & Savannas',
  'Tropical & Subtropical Grasslands, Savannas & Shrublands',
  'Tropical & Subtropical Dry Broadleaf Forests',
  'Tropical & Subtropical Coniferous Forests',
] as const;

/** Sentinel-2 scene classification (SCL) class names, values 0..11. */
export const SENTINEL2_SCL_CLASSES = [
  'no_data', 'saturated_or_defective', 'dark_area', 'cloud_shadow', 'vegetation', 'not_vegetated',
  'water', 'unclassified', 'cloud_medium_probability', 'cloud_high_probability', 'thin_cirrus', 'snow',
] as const;

function continuousPixel(
  name: string,
  bands: readonly string[],
  dtype: ModalityDefinition['dtype'],
  noData: number,
  description: string,
): ModalityDefinition {
  return {
    name, level: 'pixel', kind: 'continuous', bands, storedBands: bands, dtype, noData,
    encoding: 'values', statsKey: name, computeStats: true, role: 'data', description,
  };
}

function continuousImage(name: string, bands: readonly string[], noData: number, description: string): ModalityDefinition {
  return {
    name, level: 'image', kind: 'continuous', bands, storedBands: bands, dtype: 'float32', noData,
    encoding: 'values', statsKey: name, computeStats: true, role: 'data', description,
  };
}

/**
 * Every modality of the MMEarth release (`MMEarth-train/MODALITIES.py`, `MMEarth-data`
 * `convert_to_h5.py`), keyed by HDF5 dataset name. Band names and order, storage dtype,
 * no-data values and label remaps follow the release; see `docs/guides/data-formats.md`.
 *
 * No-data values are the reference's (`NO_DATA_VAL`), including the two that can never match
 * their storage type (ASTER `-inf` in int16, canopy height 255 in int8), so behaviour matches
 * the released training code.
 */
export const MMEARTH_MODALITIES: Readonly<Record<string, ModalityDefinition>> = {
  sentinel2: {
    ...continuousPixel('sentinel2', MMEARTH_S2_BANDS, 'uint16', 0,
      'Sentinel-2 L1C or L2A digital numbers (reflectance x 10000); B10 is a zero placeholder in L2A tiles.'),
    statsKey: { l1c: 'sentinel2_l1c', l2a: 'sentinel2_l2a' },
  },
  sentinel1: continuousPixel('sentinel1', MMEARTH_S1_BANDS, 'float32', Number.NEGATIVE_INFINITY,
    'Sentinel-1 GRD backscatter (dB as exported by Earth Engine); absent polarisations and passes are -inf.'),
  aster: continuousPixel('aster', ['elevation', 'slope'], 'int16', Number.NEGATIVE_INFINITY,
    'ASTER GDEM elevation (m) and slope (degrees).'),
  canopy_height_eth: continuousPixel('canopy_height_eth', ['height', 'std'], 'int8', 255,
    'ETH global canopy height 2020 (m) and its standard deviation.'),
  dynamic_world: {
    name: 'dynamic_world', level: 'pixel', kind: 'categorical', bands: ['label'], storedBands: ['landcover'],
    dtype: 'uint8', noData: 0, ignoreIndex: -1, numClasses: 9, encoding: 'values', labelRemap: DYNAMIC_WORLD_REMAP,
    computeStats: false, classNames: DYNAMIC_WORLD_CLASSES, role: 'data',
    description: 'Dynamic World land cover, yearly mode, stored +1 (0 = no data); remapped 1..9 → 0..8.',
  },
  esa_worldcover: {
    name: 'esa_worldcover', level: 'pixel', kind: 'categorical', bands: ['label'], storedBands: ['map'],
    dtype: 'uint8', noData: 255, ignoreIndex: -1, numClasses: 11, encoding: 'values', labelRemap: ESA_WORLDCOVER_REMAP,
    computeStats: false, classNames: ESA_WORLDCOVER_CLASSES, role: 'data',
    description: 'ESA WorldCover v100 codes 10..100; remapped to 0..10, other codes (0, 255) ignored.',
  },
  era5: continuousImage('era5', MMEARTH_ERA5_BANDS, Number.NaN,
    'ERA5-Land monthly 2 m temperature (K) mean/min/max and total precipitation (m) over three periods.'),
  lat: continuousImage('lat', ['sin', 'cos'], Number.NEGATIVE_INFINITY, 'Sine and cosine of the tile centre latitude.'),
  lon: continuousImage('lon', ['sin', 'cos'], Number.NEGATIVE_INFINITY, 'Sine and cosine of the tile centre longitude.'),
  month: continuousImage('month', ['sin_month', 'cos_month'], Number.NEGATIVE_INFINITY,
    'Sine and cosine of 2*pi*m/12 for the Sentinel-2 month m.'),
  biome: {
    name: 'biome', level: 'image', kind: 'categorical', bands: ['biome'], storedBands: MMEARTH_BIOME_CLASSES,
    dtype: 'uint8', noData: 255, ignoreIndex: -1, numClasses: 14, encoding: 'one-hot', computeStats: false,
    classNames: MMEARTH_BIOME_CLASSES, role: 'data', description: 'RESOLVE 2017 biome, stored one-hot (14).',
  },
  eco_region: {
    name: 'eco_region', level: 'image', kind: 'categorical', bands: ['eco_region'],
    storedBands: Array.from({ length: 846 }, (_, i) => `eco_${i}`),
    dtype: 'uint16', noData: 65535, ignoreIndex: -1, numClasses: 846, encoding: 'one-hot', computeStats: false,
    role: 'data', description: 'RESOLVE 2017 ecoregion, stored one-hot (846).',
  },
  sentinel2_cloudmask: {
    name: 'sentinel2_cloudmask', level: 'pixel', kind: 'categorical', bands: ['label'], storedBands: ['QA60'],
    dtype: 'uint16', noData: 65535, ignoreIndex: -1, numClasses: 3, encoding: 'values', labelRemap: SENTINEL2_QA60_REMAP,
    computeStats: true, classNames: ['clear', 'opaque_cloud', 'cirrus'], role: 'mask',
    description: 'Sentinel-2 QA60 cloud bits (not used for training by MMEarth); read as clear/opaque/cirrus.',
  },
  sentinel2_cloudprod: {
    ...continuousPixel('sentinel2_cloudprod', ['MSK_CLDPRB'], 'uint16', 65535,
      'Sentinel-2 L2A cloud probability 0..100 (L2A only; not used for training by MMEarth).'),
    role: 'mask',
  },
  sentinel2_scl: {
    name: 'sentinel2_scl', level: 'pixel', kind: 'categorical', bands: ['label'], storedBands: ['SCL'],
    dtype: 'uint8', noData: 255, ignoreIndex: -1, numClasses: 12, encoding: 'values', labelRemap: SENTINEL2_SCL_REMAP,
    computeStats: false, classNames: SENTINEL2_SCL_CLASSES, role: 'mask',
    description: 'Sentinel-2 L2A scene classification 0..11 (L2A only; not used for training by MMEarth).',
  },
};

/** Band selection of one modality: `'all'` or band names in the order wanted. */
export type BandSelection = 'all' | readonly string[];

/**
 * MMEarth's "all_mod" configuration: the 12-band Sentinel-2 input (also the reconstruction target)
 * and the 11 other pretext targets, in the reference's loss order.
 */
export const MMEARTH_ALL_MOD: Readonly<Record<string, BandSelection>> = {
  sentinel2: MMEARTH_S2_INPUT_BANDS,
  sentinel1: 'all',
  aster: 'all',
  era5: 'all',
  dynamic_world: 'all',
  canopy_height_eth: 'all',
  lat: 'all',
  lon: 'all',
  biome: 'all',
  eco_region: 'all',
  month: 'all',
  esa_worldcover: 'all',
};
