import { Option, type Command } from 'commander';
import { listRecipePresets, recipeToJson, recipeToYaml } from '@terramae/recipes';
import type { CliContext } from '../context';
import { collect } from '../options/parsers';
import { resolveRecipe } from '../options/recipe';
import { examples, printJson, printTable } from './shared';

/** `terramae recipes list|show`: the preset catalog and any recipe, resolved. */
export function registerRecipesCommand(program: Command, ctx: CliContext): void {
  const recipes = program.command('recipes').description('list the preset recipes, or show one (or a recipe file) as JSON or YAML');
  recipes
    .command('list')
    .description('list the preset recipes')
    .option('--json', 'print as JSON')
    .action((flags: { json?: boolean }) => {
      const presets = listRecipePresets();
      if (flags.json) {
        printJson(ctx, presets);
        return;
      }
      printTable(ctx, [['preset', 'description'], ...presets.map((p) => [p.name, p.description])]);
      ctx.io.out('');
      ctx.io.out('Add -laptop (minutes on a laptop CPU) or -tiny (tests) for smaller runs, e.g. mp-mae-laptop.');
      ctx.io.out('Show one with: terramae recipes show <preset> [--format yaml]');
    });
  recipes
    .command('show')
    .description('print a preset or a recipe file, after --set overrides, validated')
    .argument('<recipe>', 'preset name (e.g. mp-mae-laptop) or a .json/.yaml file')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['json', 'yaml']).default('json'))
    .option('--set <path=value>', 'override a field (repeatable)', collect)
    .addHelpText('after', examples(['terramae recipes show mp-mae --format yaml', 'terramae recipes show neighbormae-laptop --set schedule.epochs=50 > my.json']))
    .action((name: string, flags: { format: 'json' | 'yaml'; set?: string[] }) => {
      const recipe = resolveRecipe({ recipe: name, ...(flags.set ? { set: flags.set } : {}) });
      const text = flags.format === 'yaml' ? recipeToYaml(recipe) : recipeToJson(recipe);
      ctx.io.out(text.replace(/\n$/, ''));
    });
}
