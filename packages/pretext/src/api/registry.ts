import { globalRegistry, type Module } from '@terramae/tensors';
import type { LossAggregatorDefinition } from './aggregator';
import type { PretextTaskDefinition, PretextTaskInstance, PretextTaskMap } from './task';

type AnyTask = PretextTaskDefinition<string, unknown, Module>;
type AnyAggregator = LossAggregatorDefinition<string, unknown, Module>;
const tasks = () => globalRegistry<AnyTask>('terramae.pretext.tasks', 'pretext task');
const aggregators = () => globalRegistry<AnyAggregator>('terramae.pretext.aggregators', 'loss aggregator');

/**
 * Declare a pretext task with full type inference of its config and head. Returns the definition
 * unchanged; register it with {@link registerPretextTask} in a side-effect module.
 */
export function definePretextTask<const Name extends string, Config, Head extends Module>(
  definition: PretextTaskDefinition<Name, Config, Head>,
): PretextTaskDefinition<Name, Config, Head> {
  return definition;
}

/** Register a task definition globally. A duplicate name warns and the later one wins. */
export function registerPretextTask<Name extends string, Config, Head extends Module>(definition: PretextTaskDefinition<Name, Config, Head>): void {
  tasks().register(definition.name, definition as unknown as AnyTask);
}

/** Look up a registered task definition. */
export function getPretextTask(name: string): PretextTaskDefinition<string, unknown, Module> {
  const def = tasks().get(name);
  if (!def) {
    const known = tasks().names().join(', ') || '(none)';
    throw new Error(`Unknown pretext task '${name}'. Registered tasks: ${known}. Did you import the plugin's register module?`);
  }
  return def;
}

/** Every registered task definition. */
export function listPretextTasks(): PretextTaskDefinition<string, unknown, Module>[] {
  return tasks().values();
}

/** Config type of a registered task name (plugins extend {@link PretextTaskMap}). */
export type TaskConfigOf<N extends string> = N extends keyof PretextTaskMap ? PretextTaskMap[N] : Record<string, unknown>;

/**
 * Create a task instance for a recipe: the registered definition with its defaults overridden by
 * `config`. `id` defaults to the task name plus the predicted modality when that differs.
 */
export function createPretextTask<N extends string>(name: N, config: Partial<TaskConfigOf<N>> = {}, id?: string): PretextTaskInstance<TaskConfigOf<N>> {
  const definition = getPretextTask(name) as unknown as PretextTaskDefinition<string, TaskConfigOf<N>, Module>;
  const merged = { ...(definition.defaults as object), ...(config as object) } as TaskConfigOf<N>;
  return { definition, config: merged, id: id ?? defaultTaskId(definition, merged) };
}

function defaultTaskId<C>(definition: PretextTaskDefinition<string, C, Module>, config: C): string {
  const targets = definition.predicts(config, { inputModality: '' });
  return targets.length === 1 && targets[0] ? `${definition.name}:${targets[0]}` : definition.name;
}

/** Declare a loss aggregator (typed identity, like {@link definePretextTask}). */
export function defineLossAggregator<const Name extends string, Config, State extends Module>(
  definition: LossAggregatorDefinition<Name, Config, State>,
): LossAggregatorDefinition<Name, Config, State> {
  return definition;
}

/** Register a loss aggregator globally (duplicate names warn). */
export function registerLossAggregator<Name extends string, Config, State extends Module>(definition: LossAggregatorDefinition<Name, Config, State>): void {
  aggregators().register(definition.name, definition as unknown as AnyAggregator);
}

/** Look up a registered loss aggregator. */
export function getLossAggregator(name: string): LossAggregatorDefinition<string, unknown, Module> {
  const def = aggregators().get(name);
  if (!def) {
    const known = aggregators().names().join(', ') || '(none)';
    throw new Error(`Unknown loss aggregator '${name}'. Registered aggregators: ${known}.`);
  }
  return def;
}

/** Every registered loss aggregator. */
export function listLossAggregators(): LossAggregatorDefinition<string, unknown, Module>[] {
  return aggregators().values();
}
