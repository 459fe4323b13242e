/**
 * MP-MAE, FCMAE, MAE, NeighborMAE and hybrid pretraining recipes as typed, validated data.
 * @packageDocumentation
 */
export {};
