/**
 * The `terramae` command line (pretrain, probe, finetune, embed, synth, convert, inspect,
 * recipes, demo) and the functions behind each command, for use from code.
 * @packageDocumentation
 */
export * from './run';
export * from './program';
export * from './context';
export * from './errors';
export * from './report-error';
export * from './version';
export { addBackendOptions, startBackend, BACKEND_CHOICES, type BackendFlags } from './options/backend';
export { addRecipeOptions, loadRecipeSource, resolveRecipe, type RecipeFlags } from './options/recipe';
export { detectDataKind, detectPathKind, type PathKind } from './data/detect';
export { openData, type OpenDataOptions, type OpenedData } from './data/open-data';
export { centerCropTransform, trainTransforms } from './data/transforms';
export { recipeModalities } from './data/recipe-modalities';
export { tileFootprint } from './data/footprints';
export { planTraining, scheduleFor, optimizerFor, type TrainingPlan } from './train/plan';
export { runPretraining, lossTable, lossWindow, describeRun, runRecipePath, type PretrainingRunOptions, type PretrainingRunSummary } from './train/run-pretraining';
export { pixelPredictions, writeReconstructionPicture } from './train/reconstruction';
export { loadEncoder, checkpointRecipe, createRecipeBackbone, type LoadedEncoder, type LoadEncoderOptions } from './eval/load-encoder';
export { runProbe, keepFoldableClasses, formatScore, type ProbeRunOptions, type ProbeRunResult, type ProbeOutcome } from './eval/run-probe';
export { runEmbed, type EmbedRunOptions, type EmbedRunResult } from './eval/run-embed';
export { runFinetune, type FinetuneRunOptions, type FinetuneRunResult } from './eval/run-finetune';
export { writeSyntheticDataset, syntheticFileName, type SyntheticDatasetOptions, type SyntheticDatasetResult } from './synth/write-synthetic';
export { convertCheckpoint, type ConvertOptions, type ConvertResult } from './convert/convert-checkpoint';
export { savePth } from './convert/pth-writer';
export { pickleStateDict, TORCH_STORAGE_CLASS } from './convert/torch-pickle-writer';
export { zipStore, crc32, type ZipFileEntry } from './convert/zip-store';
export { inspectPath, type Inspection } from './inspect/inspect-path';
export { runDemo, demoRecipe, DEMO_DEFAULTS, type DemoOptions, type DemoSummary } from './demo/run-demo';
export { encodeNpy, writeNpy } from './util/npy-writer';
export { formatDuration, formatNumber, formatCount, formatBytes, formatTable } from './util/format';
