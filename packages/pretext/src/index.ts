/**
 * The pretext-task plugin API and built-in tasks (MMEarth pixel- and image-level, MAE,
 * NeighborMAE), shared decoders and loss aggregators.
 * @packageDocumentation
 */
export * from './api/index';
// MAE and NeighborMAE: decoders, losses, tasks.
export * from './decoders/decoder-input-error';
export * from './decoders/transformer-decoder-base';
export * from './decoders/mae-decoder';
export * from './decoders/view-pos-embed';
export * from './decoders/multi-view-mae-decoder';
export * from './decoders/joint-grid-decoder';
export * from './losses/neighbor-weight';
export * from './tasks/mae/errors';
export * from './tasks/mae/patch-norm';
export * from './tasks/mae/mae-loss';
export * from './tasks/mae/mae-task';
export * from './tasks/neighbor/errors';
export * from './tasks/neighbor/cross-project';
export * from './tasks/neighbor/pixel-visibility';
export * from './tasks/neighbor/neighbor-loss';
export * from './tasks/neighbor/neighbor-task';
// Core runtime, MMEarth tasks, FCMAE decoder, aggregators, validation.
export * from './model/errors';
export * from './model/module-dict';
export * from './model/shared-modules';
export * from './model/step-memo';
export * from './model/pretraining-model';
export * from './validate/recipe-validation-error';
export * from './validate/validate-tasks';
export * from './aggregators/index';
export * from './decoders/tokens-to-grid';
export * from './decoders/fcmae-decoder';
export * from './tasks/mmearth/index';
// Registers the built-in tasks and aggregators (listed in package.json `sideEffects`).
import './register-builtins';
