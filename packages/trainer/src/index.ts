/**
 * Pretraining loop, AdamW, schedules, checkpoints and evaluation (linear probe, kNN, fine-tuning, few-shot) for terramae.
 * @packageDocumentation
 */

export * from './optim/index';
export * from './loop/types';
export * from './loop/pretrain';
export * from './loop/adapters';
export * from './checkpoint/checkpoint';
export * from './logging/metrics-log';
export * from './logging/embedding-health';
export * from './logging/progress';
export * from './eval/index';
export * from './pictures/index';
