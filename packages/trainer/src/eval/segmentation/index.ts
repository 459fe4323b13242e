export * from './upsample-nearest';
export * from './unet-decoder';
export * from './segmentation-probe';
