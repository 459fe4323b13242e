import type { Command } from 'commander';
import type { CliContext } from '../context';
import { inspectPath } from '../inspect/inspect-path';
import { positiveInt } from '../options/parsers';
import { examples, printJson } from './shared';

/** `terramae inspect`: summary of a dataset or a checkpoint. */
export function registerInspectCommand(program: Command, ctx: CliContext): void {
  program
    .command('inspect')
    .description('summarise a dataset (modalities, shapes, dtypes, sample count, splits, tile ids) or a checkpoint (step, recipe, tensors, parameter count)')
    .argument('<path>', 'checkpoint folder, .safetensors, .pth, MMEarth .h5 or its folder, GeoTIFF (folder), .npy or recipe file')
    .option('--limit <n>', 'tensors / tile ids to list', positiveInt, 20)
    .option('--json', 'print everything as JSON')
    .addHelpText('after', examples(['terramae inspect runs/demo/checkpoints/checkpoint-00000300', 'terramae inspect data/synthetic --json', 'terramae inspect model.pth']))
    .action(async (path: string, flags: { limit: number; json?: boolean }) => {
      const result = await inspectPath(path, { limit: flags.limit });
      if (flags.json) printJson(ctx, { kind: result.kind, path: result.path, ...result.details });
      else for (const line of result.lines) ctx.io.out(line);
    });
}
