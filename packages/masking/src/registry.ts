import { globalRegistry } from '@terramae/tensors';
import { blockMasking, type BlockMaskingOptions } from './block';
import { MaskingOptionError } from './errors';
import { fcmaeMasking, type FcmaeMaskingOptions } from './fcmae';
import { neighborAdaptiveMasking, type NeighborAdaptiveMaskingOptions } from './neighbor-adaptive';
import { randomMasking, type RandomMaskingOptions } from './random';
import type { MaskingStrategy } from './types';

/**
 * Registered strategy names and their option types. Plugins add entries by declaration merging:
 *
 * ```ts
 * declare module '@terramae/masking' {
 *   interface MaskingStrategyMap { 'my-masking': MyOptions }
 * }
 * ```
 */
export interface MaskingStrategyMap {
  random: RandomMaskingOptions;
  fcmae: FcmaeMaskingOptions;
  'neighbor-adaptive': NeighborAdaptiveMaskingOptions;
  block: BlockMaskingOptions;
}

/** A factory of a registered masking strategy. */
export type MaskingStrategyFactory<O> = (options: O) => MaskingStrategy;

const BUILT_IN: [string, MaskingStrategyFactory<never>][] = [
  ['random', randomMasking],
  ['fcmae', fcmaeMasking],
  ['neighbor-adaptive', neighborAdaptiveMasking],
  ['block', blockMasking],
];

const store = () => globalRegistry<MaskingStrategyFactory<never>>('terramae.masking.strategies', 'masking strategy', BUILT_IN);

/** Register a masking strategy factory. A duplicate name warns and the later one wins. */
export function registerMaskingStrategy<O>(name: string, factory: MaskingStrategyFactory<O>): void {
  store().register(name, factory as MaskingStrategyFactory<never>);
}

/** Names of every registered masking strategy. */
export function listMaskingStrategies(): string[] {
  return store().names();
}

/** Options type of a registered strategy name. */
export type MaskingOptionsOf<N extends string> = N extends keyof MaskingStrategyMap ? MaskingStrategyMap[N] : Record<string, unknown>;

/** Create a registered masking strategy by name (options are validated; errors name the option). */
export function createMaskingStrategy<N extends string>(name: N, options: MaskingOptionsOf<N> = {} as MaskingOptionsOf<N>): MaskingStrategy {
  const factory = store().get(name);
  if (!factory) {
    throw new MaskingOptionError(name, 'name', `unknown masking strategy; registered strategies: ${listMaskingStrategies().join(', ')}`);
  }
  return (factory as MaskingStrategyFactory<MaskingOptionsOf<N>>)(options);
}
