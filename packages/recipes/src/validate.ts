import { TerramaeError } from '@terramae/tensors';
import type { Recipe } from './recipe';

/** A recipe that does not validate; `problems` lists each field with what to change. */
export class RecipeError extends TerramaeError {
  constructor(
    readonly recipeName: string,
    readonly problems: readonly string[],
  ) {
    super(`Recipe '${recipeName}' is invalid:\n  - ${problems.join('\n  - ')}`);
  }
}

type Check = (value: unknown, path: string, problems: string[]) => void;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const str =
  (optional = false): Check =>
  (v, path, p) => {
    if (v === undefined && optional) return;
    if (typeof v !== 'string' || v.length === 0) p.push(`${path}: expected a non-empty string, got ${JSON.stringify(v)}`);
  };

const num =
  (min: number, max = Infinity, opts: { optional?: boolean; integer?: boolean } = {}): Check =>
  (v, path, p) => {
    if (v === undefined && opts.optional) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (opts.integer && !Number.isInteger(v))) {
      p.push(`${path}: expected ${opts.integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${JSON.stringify(v)}`);
    }
  };

const oneOf =
  (values: readonly string[], optional = false): Check =>
  (v, path, p) => {
    if (v === undefined && optional) return;
    if (typeof v !== 'string' || !values.includes(v)) p.push(`${path}: expected one of ${values.map((s) => `'${s}'`).join(', ')}, got ${JSON.stringify(v)}`);
  };

const object =
  (shape: Record<string, Check>, optional = false): Check =>
  (v, path, p) => {
    if (v === undefined && optional) return;
    if (!isObject(v)) {
      p.push(`${path}: expected an object, got ${JSON.stringify(v)}`);
      return;
    }
    for (const [key, check] of Object.entries(shape)) check(v[key], `${path}.${key}`, p);
    for (const key of Object.keys(v)) if (!(key in shape)) p.push(`${path}.${key}: unknown field (known: ${Object.keys(shape).join(', ')})`);
  };

const record =
  (optional = true): Check =>
  (v, path, p) => {
    if (v === undefined && optional) return;
    if (!isObject(v)) p.push(`${path}: expected an object of options, got ${JSON.stringify(v)}`);
  };

const component = (optional = false): Check => object({ name: str(), options: record() }, optional);

const RECIPE: Check = object({
  name: str(),
  description: str(true),
  reference: str(true),
  seed: num(0, 2 ** 32 - 1, { integer: true }),
  backbone: component(),
  input: object({
    modality: str(),
    bands: (v, path, p) => {
      if (v === undefined) return;
      if (!Array.isArray(v) || v.length === 0 || v.some((b) => typeof b !== 'string')) p.push(`${path}: expected a non-empty list of band names`);
      else if (new Set(v).size !== v.length) p.push(`${path}: band names must be unique`);
    },
    size: num(8, 4096, { integer: true }),
    views: num(1, 16, { optional: true, integer: true }),
  }),
  masking: component(),
  tasks: (v, path, p) => {
    if (!Array.isArray(v) || v.length === 0) {
      p.push(`${path}: expected a non-empty list of tasks, e.g. [{ task: 'pixel-reconstruction' }]`);
      return;
    }
    v.forEach((t, i) => object({ task: str(), id: str(true), config: record() })(t, `${path}[${i}]`, p));
    const ids = v.map((t, i) => (isObject(t) ? String(t.id ?? `${t.task}#${i}`) : `#${i}`));
    const dup = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (dup.length) p.push(`${path}: task ids must be unique; give the duplicates distinct 'id' fields: ${[...new Set(dup)].join(', ')}`);
  },
  aggregator: component(),
  optimizer: object({
    name: oneOf(['adamw']),
    blr: num(0, 10),
    betas: (v, path, p) => {
      if (!Array.isArray(v) || v.length !== 2 || v.some((b) => typeof b !== 'number' || !(b >= 0 && b < 1))) p.push(`${path}: expected [beta1, beta2], each in [0, 1)`);
    },
    weightDecay: num(0, 10),
    noDecay: oneOf(['timm', 'norm-bias', 'convnext', 'none']),
    clipGradNorm: num(0, Infinity, { optional: true }),
  }),
  schedule: object({
    kind: oneOf(['half-cycle-cosine', 'neighbormae', 'constant']),
    epochs: num(0, 1e6),
    warmupEpochs: num(0, 1e6),
    minLr: num(0, 10),
    maxSteps: num(1, 1e9, { optional: true, integer: true }),
  }),
  batch: object({ size: num(1, 1e6, { integer: true }), accumulate: num(1, 1e6, { integer: true }) }),
  data: object({
    kind: oneOf(['mmearth', 'synthetic', 'geotiff-folder', 'scene-pairs']),
    path: str(true),
    split: str(true),
    options: record(),
  }),
  evaluation: object(
    {
      linearProbe: object({ folds: num(2, 100, { optional: true, integer: true }), epochs: num(1, 1e5, { optional: true, integer: true }) }, true),
      knn: object({ k: num(1, 1e4, { optional: true, integer: true }) }, true),
    },
    true,
  ),
});

/**
 * Check that a value is a well-formed {@link Recipe}: every field's type and range, unknown
 * fields, unique task ids, warmup not longer than training, a data path where one is needed.
 * Throws a {@link RecipeError} listing every problem with the field path and what to change.
 */
export function validateRecipe(value: unknown): Recipe {
  const problems: string[] = [];
  RECIPE(value, 'recipe', problems);
  const name = isObject(value) && typeof value.name === 'string' ? value.name : '(unnamed)';
  if (problems.length === 0) {
    const r = value as unknown as Recipe;
    if (r.schedule.warmupEpochs > r.schedule.epochs) problems.push(`recipe.schedule.warmupEpochs: ${r.schedule.warmupEpochs} is longer than epochs (${r.schedule.epochs}); shorten the warmup`);
    if (r.data.kind !== 'synthetic' && !r.data.path) problems.push(`recipe.data.path: a '${r.data.kind}' dataset needs a path (file or folder)`);
    if (r.data.kind === 'scene-pairs' && (r.input.views ?? 1) !== 2) problems.push(`recipe.input.views: 'scene-pairs' data gives 2 views per sample; set input.views to 2`);
  }
  if (problems.length) throw new RecipeError(name, problems);
  return value as Recipe;
}
