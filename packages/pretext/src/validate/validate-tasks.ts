import type { MaskingStrategy } from '@terramae/masking';
import type { ModalitySpec } from '@terramae/tensors';
import type { PretextTaskInstance } from '../api/task';
import { listLossAggregators } from '../api/registry';
import { RecipeValidationError, type ValidationProblem } from './recipe-validation-error';

/** What validation needs to know about the backbone (no tensors: a created backbone fits too). */
export interface BackboneDescription {
  readonly layout: 'grid' | 'tokens';
  readonly inChannels: number;
  readonly patchSize: number;
  /** Output grid for an input size, when the backbone can tell. */
  outputGrid?(height: number, width: number): [number, number];
}

/** Everything {@link validateTasks} checks a task list against. */
export interface TaskValidationContext {
  readonly tasks: readonly PretextTaskInstance[];
  /** Specs of every modality the dataset yields. */
  readonly specs: Readonly<Record<string, ModalitySpec>>;
  /** The modality the encoder reads. */
  readonly inputModality: string;
  readonly backbone: BackboneDescription;
  /** Input size `[H, W]` (after cropping). */
  readonly inputSize: readonly [number, number];
  /** Views per sample the data yields (1, or 2 for neighbour pairs). Default 1. */
  readonly views?: number;
  /** Whether batches carry footprint boxes. Default false. */
  readonly hasBoxes?: boolean;
  /** The masking strategy, checked too when given. */
  readonly masking?: MaskingStrategy;
  /** The aggregator name, checked against the registry when given. */
  readonly aggregator?: string;
}

/**
 * Check a recipe's task list against the dataset's modality specs and the backbone, before any
 * tensor exists. Returns every problem found (empty when the recipe fits); each names the task,
 * the modality and what to change. See {@link assertTasksValid} for the throwing form.
 */
export function validateTasks(ctx: TaskValidationContext): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const views = ctx.views ?? 1;
  const hasBoxes = ctx.hasBoxes ?? false;
  const known = Object.keys(ctx.specs).join(', ') || '(none)';
  const input = ctx.specs[ctx.inputModality];
  if (!input) {
    problems.push({ where: 'input', modality: ctx.inputModality, message: `the dataset has no modality '${ctx.inputModality}'; set inputModality to one of: ${known}` });
  } else {
    if (input.level !== 'pixel' || input.kind !== 'continuous') {
      problems.push({ where: 'input', modality: ctx.inputModality, message: `the encoder input must be a continuous pixel-level modality, '${ctx.inputModality}' is ${input.kind} ${input.level}-level` });
    } else if (input.bands.length !== ctx.backbone.inChannels) {
      problems.push({
        where: 'backbone',
        modality: ctx.inputModality,
        message: `the backbone takes ${ctx.backbone.inChannels} input channels but '${ctx.inputModality}' has ${input.bands.length} bands (${input.bands.join(', ')}); build the backbone with inChannels ${input.bands.length} or select ${ctx.backbone.inChannels} bands`,
      });
    }
  }
  const [hh, ww] = ctx.inputSize;
  let grid: [number, number] | undefined;
  if (!(Number.isInteger(hh) && Number.isInteger(ww) && hh > 0 && ww > 0)) {
    problems.push({ where: 'input', message: `inputSize must be two positive integers, got [${hh}, ${ww}]` });
  } else {
    try {
      grid = ctx.backbone.outputGrid ? ctx.backbone.outputGrid(hh, ww) : [hh / ctx.backbone.patchSize, ww / ctx.backbone.patchSize];
      if (!grid.every((g) => Number.isInteger(g) && g > 0)) throw new Error(`${hh}×${ww} is not a multiple of the patch size ${ctx.backbone.patchSize}`);
    } catch (e) {
      problems.push({ where: 'backbone', message: `input size ${hh}×${ww} does not fit the backbone: ${(e as Error).message}; choose a crop size that is a multiple of ${ctx.backbone.patchSize}` });
      grid = undefined;
    }
  }

  const ids = new Set<string>();
  for (const task of ctx.tasks) {
    const { definition: def, config, id } = task;
    if (ids.has(id)) problems.push({ where: id, message: `two tasks have the id '${id}'; give each task a unique id` });
    ids.add(id);
    if (id.includes('.')) problems.push({ where: id, message: `task ids become parameter-name segments and must not contain '.'; rename it` });
    problems.push(...unknownConfigFields(def.name, def.defaults, config).map((message) => ({ where: id, message })));
    const io = { inputModality: ctx.inputModality };
    let consumes: readonly string[] = [];
    let predicts: readonly string[] = [];
    try {
      consumes = def.consumes(config, io);
      predicts = def.predicts(config, io);
    } catch (e) {
      problems.push({ where: id, message: `its config is invalid: ${(e as Error).message}` });
      continue;
    }
    for (const m of [...new Set([...consumes, ...predicts])]) {
      if (!ctx.specs[m]) problems.push({ where: id, modality: m, message: `task '${def.name}' needs modality '${m}', which the dataset does not provide (it has: ${known}); add it to the dataset's modalities or remove the task` });
    }
    const req = def.requires?.(config) ?? {};
    const needViews = req.views ?? 1;
    if (needViews > 1 && views < needViews) {
      problems.push({ where: id, message: `task '${def.name}' needs ${needViews} views per sample (neighbour pairs) but the data yields ${views}; use a neighbour-pair dataset` });
    }
    if (req.meta?.includes('boxes') && !hasBoxes) {
      problems.push({ where: id, message: `task '${def.name}' needs footprint boxes, which the data does not provide; use a dataset with boxes (neighbour pairs)` });
    }
    if (req.layouts && !req.layouts.includes(ctx.backbone.layout)) {
      problems.push({ where: id, message: `task '${def.name}' supports ${req.layouts.join('/')} encoders, the backbone is a ${ctx.backbone.layout} encoder; choose a ${req.layouts.join(' or ')} backbone` });
    }
    if (def.validate) {
      try {
        for (const message of def.validate(config, { specs: ctx.specs, inputModality: ctx.inputModality, layout: ctx.backbone.layout })) {
          problems.push({ where: id, ...modalityOf(message, predicts), message });
        }
      } catch (e) {
        problems.push({ where: id, message: `validation failed: ${(e as Error).message}` });
      }
    }
  }
  if (ctx.tasks.length === 0) problems.push({ where: 'tasks', message: 'the recipe has no pretext task; add at least one' });
  if (ctx.masking && grid) {
    for (const message of ctx.masking.check({ grid, views, hasBoxes })) problems.push({ where: 'masking', message: `${ctx.masking.name}: ${message}` });
  }
  if (ctx.aggregator !== undefined && !listLossAggregators().some((a) => a.name === ctx.aggregator)) {
    problems.push({ where: 'aggregator', message: `unknown loss aggregator '${ctx.aggregator}'; registered: ${listLossAggregators().map((a) => a.name).join(', ') || '(none)'} (did you import '@terramae/pretext'?)` });
  }
  return problems;
}

/**
 * Config fields a task does not declare in its `defaults` (every field has a default, see
 * `PretextTaskDefinition.defaults`): a typo such as `normPix` for `normPixLoss` would otherwise be
 * ignored silently and the default used.
 */
function unknownConfigFields(task: string, defaults: unknown, config: unknown): string[] {
  if (typeof defaults !== 'object' || defaults === null || typeof config !== 'object' || config === null) return [];
  const known = Object.keys(defaults);
  return Object.keys(config)
    .filter((key) => !known.includes(key))
    .map((key) => `task '${task}' has no config field '${key}' (it would be ignored); its fields are ${known.join(', ')}`);
}

function modalityOf(message: string, predicts: readonly string[]): { modality?: string } {
  const m = predicts.find((p) => message.includes(`'${p}'`));
  return m ? { modality: m } : {};
}

/** {@link validateTasks}, throwing a {@link RecipeValidationError} that lists every problem. */
export function assertTasksValid(ctx: TaskValidationContext): void {
  const problems = validateTasks(ctx);
  if (problems.length > 0) throw new RecipeValidationError(problems);
}
