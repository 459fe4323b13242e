import { join } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { EXIT_CODES } from '../errors';
import { addBackendOptions, startBackend, type BackendFlags } from '../options/backend';
import { positiveInt, nonNegativeInt } from '../options/parsers';
import { addRecipeOptions, resolveRecipe, type RecipeFlags } from '../options/recipe';
import { checkpointRecipe } from '../eval/load-encoder';
import { describeRun, lossTable, runPretraining, runRecipePath } from '../train/run-pretraining';
import { examples, printJson, printTable, readRecipeFile } from './shared';

interface PretrainFlags extends RecipeFlags, BackendFlags {
  readonly out?: string;
  readonly resume?: string | boolean;
  readonly checkpointEvery: number;
  readonly keep: number;
  readonly logEvery: number;
  readonly healthEvery: number;
  readonly picture: boolean;
  readonly skipBadSamples?: boolean;
  readonly overwrite?: boolean;
  readonly json?: boolean;
}

/** `terramae pretrain`: run a recipe with checkpoints, resume and clean interrupts. */
export function registerPretrainCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command('pretrain')
    .description('pretrain a recipe (MP-MAE, NeighborMAE, MAE, FCMAE or a hybrid): checkpoints, JSONL metrics, per-task losses, a reconstruction picture');
  addRecipeOptions(command);
  command
    .option('-o, --out <dir>', 'run folder (default: runs/<recipe name>)')
    .option('--resume [checkpoint]', 'continue from the latest checkpoint in <out>/checkpoints, or from the given checkpoint folder')
    .option('--checkpoint-every <n>', 'save a checkpoint every n steps (also at the end and on Ctrl-C)', positiveInt, 50)
    .option('--keep <n>', 'checkpoints to keep', positiveInt, 3)
    .option('--log-every <n>', 'print progress every n steps when stderr is not a terminal', positiveInt, 10)
    .option('--health-every <n>', 'log embedding health (feature std, mean cosine) every n steps; 0 = off', nonNegativeInt, 0)
    .option('--no-picture', 'do not write reconstruction.png at the end')
    .option('--overwrite', 'start over in a run folder that already holds checkpoints (deletes them)')
    .option('--skip-bad-samples', 'skip (and count) examples that cannot be read instead of failing')
    .option('--json', 'print the summary as JSON');
  addBackendOptions(command);
  command.addHelpText(
    'after',
    examples([
      'terramae pretrain --recipe mp-mae-laptop --out runs/mpmae',
      'terramae pretrain --recipe neighbormae-laptop --data data/synthetic --steps 200',
      'terramae pretrain --recipe my-recipe.yaml --set masking.options.ratio=0.75 --batch-size 8',
      'terramae pretrain --out runs/mpmae --resume            # continue after Ctrl-C',
    ]),
  );
  command.action(async (flags: PretrainFlags) => {
    const resume = flags.resume === true ? 'latest' : flags.resume || undefined;
    let fallback = flags.out ? readRecipeFile(runRecipePath(flags.out)) : undefined;
    if (!fallback && resume && resume !== 'latest') fallback = checkpointRecipe(resume);
    const recipe = resolveRecipe(flags, fallback);
    const out = flags.out ?? join('runs', recipe.name);
    await startBackend(flags, ctx);
    const summary = await runPretraining(
      {
        recipe,
        out,
        ...(resume ? { resume } : {}),
        checkpointEvery: flags.checkpointEvery,
        keepLast: flags.keep,
        logEvery: flags.logEvery,
        healthEvery: flags.healthEvery,
        picture: flags.picture,
        badSamples: flags.skipBadSamples ? 'skip' : 'fail',
        ...(flags.overwrite ? { overwrite: true } : {}),
      },
      ctx,
    );
    if (flags.json) {
      printJson(ctx, { ...summary, recipe: recipe.name });
    } else {
      ctx.io.out(`${summary.stoppedEarly ? 'interrupted' : 'pretrained'} ${recipe.name}: ${describeRun(summary)}`);
      printTable(ctx, lossTable(summary), '  ');
      if (summary.checkpoint) ctx.io.out(`checkpoint: ${summary.checkpoint}`);
      if (summary.picture) ctx.io.out(`picture:    ${summary.picture}`);
      ctx.io.out(`metrics:    ${summary.metrics}`);
      if (summary.stoppedEarly) ctx.io.out(`resume with: terramae pretrain --out ${out} --resume`);
    }
    if (summary.stoppedEarly) ctx.exitCode = EXIT_CODES.interrupted;
  });
}
