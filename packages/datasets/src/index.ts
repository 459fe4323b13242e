/**
 * Earth-observation datasets for pretraining: MMEarth HDF5, GeoTIFF folders and scenes, neighbour pairs, a synthetic multi-modal Earth, and fast loaders.
 * @packageDocumentation
 */
export * from './util/h5wasm';
