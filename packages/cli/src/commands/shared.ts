import { existsSync, readFileSync } from 'node:fs';
import { parseRecipe, type Recipe } from '@terramae/recipes';
import type { CliContext } from '../context';
import { formatTable } from '../util/format';

/** Print rows as an aligned table on standard output. */
export function printTable(ctx: CliContext, rows: readonly (readonly string[])[], indent = ''): void {
  for (const line of formatTable(rows)) ctx.io.out(`${indent}${line}`);
}

/** Print a value as pretty JSON on standard output. */
export function printJson(ctx: CliContext, value: unknown): void {
  ctx.io.out(JSON.stringify(value, null, 2));
}

/** Read a recipe file if it exists. */
export function readRecipeFile(path: string): Recipe | undefined {
  return existsSync(path) ? parseRecipe(readFileSync(path, 'utf8'), path) : undefined;
}

/** `Examples:` help text. */
export function examples(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}
