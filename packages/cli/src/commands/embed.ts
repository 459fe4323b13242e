import type { Command } from 'commander';
import type { CliContext } from '../context';
import { runEmbed } from '../eval/run-embed';
import { checkpointRecipe } from '../eval/load-encoder';
import { addBackendOptions, startBackend, type BackendFlags } from '../options/backend';
import { collect, positiveInt } from '../options/parsers';
import { resolveRecipe } from '../options/recipe';
import { UsageError } from '../errors';
import { examples, printJson } from './shared';

interface EmbedFlags extends BackendFlags {
  readonly checkpoint?: string;
  readonly recipe?: string;
  readonly set?: string[];
  readonly out: string;
  readonly split?: string;
  readonly bands?: string;
  readonly batchSize: number;
  readonly mmearthSparse?: boolean;
  readonly json?: boolean;
}

/** `terramae embed`: features of images from a frozen encoder. */
export function registerEmbedCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command('embed')
    .description('features of a GeoTIFF (tiled when large), a folder of GeoTIFFs or an MMEarth file from a frozen encoder, to .npy or .safetensors')
    .argument('<input>', 'GeoTIFF file, folder of GeoTIFFs (flat or class sub-folders), or MMEarth-layout .h5 / folder')
    .option('-c, --checkpoint <path>', 'encoder weights: checkpoint folder, .safetensors or .pth (omit with --recipe for random init)')
    .option('-r, --recipe <file|preset>', 'recipe defining the encoder (default: the checkpoint\'s)')
    .option('--set <path=value>', 'override a recipe field (repeatable)', collect)
    .option('-o, --out <file>', 'output: .npy (plus <file>.ids.json) or .safetensors', 'features.npy')
    .option('--split <name>', 'split of an MMEarth file (default: all)')
    .option('--bands <names>', 'band names of the GeoTIFFs in file order, comma-separated (default: EuroSAT order for 13 bands)')
    .option('--batch-size <n>', 'images per batch', positiveInt, 32)
    .option('--mmearth-sparse', 'the .pth is an MMEarth sparse FCMAE checkpoint')
    .option('--json', 'print the result as JSON');
  addBackendOptions(command);
  command.addHelpText(
    'after',
    examples([
      'terramae embed ../shared/data/eurosat-ms-270/test --checkpoint runs/demo/checkpoints/checkpoint-00000300 -o eurosat.npy',
      'terramae embed data/synthetic --checkpoint runs/demo/checkpoints/checkpoint-00000300 --split test -o test.safetensors',
    ]),
  );
  command.action(async (input: string, flags: EmbedFlags) => {
    const fromCheckpoint = flags.checkpoint && !flags.recipe ? checkpointRecipe(flags.checkpoint) : undefined;
    if (!flags.checkpoint && !flags.recipe) throw new UsageError('embed needs --checkpoint <path> (or --recipe for a random-init encoder).');
    const recipe = resolveRecipe({ ...(flags.recipe ? { recipe: flags.recipe } : {}), ...(flags.set ? { set: flags.set } : {}) }, fromCheckpoint);
    await startBackend(flags, ctx);
    const result = await runEmbed(
      {
        input,
        recipe,
        out: flags.out,
        ...(flags.checkpoint ? { checkpoint: flags.checkpoint } : {}),
        ...(flags.split ? { split: flags.split } : {}),
        ...(flags.bands ? { bands: flags.bands.split(',').map((b) => b.trim()) } : {}),
        batchSize: flags.batchSize,
        ...(flags.mmearthSparse ? { mmearthSparse: true } : {}),
      },
      ctx,
    );
    if (flags.json) printJson(ctx, { out: result.out, rows: result.rows, dim: result.dim, encoder: result.origin });
    else ctx.io.out(`wrote ${result.rows} × ${result.dim} features to ${result.out} (${result.origin})`);
  });
}
