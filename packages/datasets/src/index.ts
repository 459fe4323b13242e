/**
 * Earth-observation datasets for pretraining: MMEarth HDF5, GeoTIFF folders and scenes, neighbour
 * pairs, a synthetic multi-modal Earth, and fast loaders. Everything meets the rest of terramae
 * in the `Batch` contract of `@terramae/tensors`.
 * @packageDocumentation
 */
export * from './errors';

// modalities
export * from './modalities/modality-definition';
export * from './modalities/label-remap';
export * from './modalities/mmearth-modalities';
export * from './modalities/modality-registry';

// MMEarth HDF5
export * from './mmearth/side-files';
export * from './mmearth/store';
export * from './mmearth/h5-store';
export * from './mmearth/memory-store';
export * from './mmearth/process-modality';
export * from './mmearth/mmearth-dataset';
export * from './mmearth/band-stats-accumulator';
export * from './mmearth/band-stats-collector';
export * from './mmearth/mmearth-writer';

// geography
export * from './geo/utm';
export * from './geo/distance';
export * from './geo/footprint';

// GeoTIFF
export * from './geotiff/read-geotiff';
export * from './geotiff/band-map';
export * from './geotiff/geotiff-folder';
export * from './geotiff/geotiff-to-mmearth';

// scenes
export * from './scene/scene';
export * from './scene/dsen2';
export * from './scene/geotiff-scene';
export * from './scene/scene-tiler';

// neighbours
export * from './neighbors/box';
export * from './neighbors/tile-pairs';
export * from './neighbors/geo-pairs';
export * from './neighbors/same-place';
export * from './neighbors/pair-sources';

// synthetic Earth
export * from './synthetic/synthetic-earth';

// loaders
export * from './loader/source';
export * from './loader/array-source';
export * from './loader/collate';
export * from './loader/augment';
export * from './loader/data-loader';
export * from './loader/throughput';

// utilities
export { loadH5wasm, type H5Wasm, type H5File, type H5Dataset } from './util/h5wasm';
export { resampleHwc, resamplePlane, type ResampleMethod, type PixelRect } from './util/resample';
export { readNpy, type NpyArray } from './util/npy';
export { parseJsonNonFinite, stringifyJsonNonFinite } from './util/json-nonfinite';
export { JsonObjectIndex } from './util/json-object-index';
export { mixSeed } from './util/seed';
export type { NumericArray } from './util/typed-arrays';
export type { ZScoreStats } from './util/hwc';
