/**
 * Pretraining loop, AdamW, schedules, checkpoints and evaluation (linear probe, kNN, fine-tuning, few-shot) for terramae.
 * @packageDocumentation
 */
export {};
