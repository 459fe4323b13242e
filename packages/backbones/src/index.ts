/**
 * ConvNeXt V2 and ViT backbones for TensorFlow.js, exact to the original PyTorch code, with FCMAE
 * masked mode and PyTorch checkpoint import.
 * @packageDocumentation
 */
export * from './types';
export * from './registry';
export * from './transformer/index';
export * from './vit/index';
export * from './convnextv2/index';
export * from './checkpoint/index';
