import { parse, stringify } from 'yaml';
import type { Recipe } from './recipe';
import { RecipeError, validateRecipe } from './validate';

/** A recipe as pretty JSON. */
export function recipeToJson(recipe: Recipe): string {
  return `${JSON.stringify(recipe, null, 2)}\n`;
}

/** A recipe as YAML. */
export function recipeToYaml(recipe: Recipe): string {
  return stringify(recipe);
}

/**
 * Parse a recipe from JSON or YAML text (YAML is a superset of JSON) and validate it.
 * @param source where the text came from, for error messages.
 */
export function parseRecipe(text: string, source = 'recipe'): Recipe {
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new RecipeError(source, [`${source}: not valid JSON or YAML: ${(error as Error).message}`]);
  }
  return validateRecipe(value);
}

/** Deep-merge overrides (e.g. from CLI flags) into a recipe and validate the result. */
export function overrideRecipe(recipe: Recipe, overrides: Readonly<Record<string, unknown>>): Recipe {
  return validateRecipe(merge(recipe as unknown as Record<string, unknown>, overrides));
}

function merge(base: Record<string, unknown>, over: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b) ? merge(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/**
 * Set a value at a dotted path (`schedule.epochs=10`, `batch.size=8`), parsing the value as YAML
 * (numbers, booleans, lists). The shape `--set path=value` of the CLI.
 */
export function setRecipeField(recipe: Recipe, assignment: string): Recipe {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new RecipeError(recipe.name, [`'${assignment}': expected path=value, e.g. schedule.epochs=10`]);
  const path = assignment.slice(0, eq).split('.');
  const value: unknown = parse(assignment.slice(eq + 1));
  const overrides: Record<string, unknown> = {};
  let cursor = overrides;
  path.forEach((key, i) => {
    if (i === path.length - 1) cursor[key] = value;
    else cursor = cursor[key] = {} as Record<string, unknown>;
  });
  return overrideRecipe(recipe, overrides);
}
