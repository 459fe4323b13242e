/**
 * The terramae command: pretrain, probe, finetune, embed, synth, convert, inspect, recipes.
 * @packageDocumentation
 */
export {};
