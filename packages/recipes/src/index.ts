/**
 * MP-MAE, FCMAE, MAE, NeighborMAE and hybrid pretraining recipes as typed, validated data.
 * @packageDocumentation
 */
export * from './recipe';
export * from './validate';
export * from './serialize';
export * from './presets';
export * from './build';
export * from './catalog';
