import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { CliContext } from '../context';
import { UsageError } from '../errors';
import { addBackendOptions, startBackend, type BackendFlags } from '../options/backend';
import { positiveInt } from '../options/parsers';
import { addRecipeOptions, resolveRecipe, type RecipeFlags } from '../options/recipe';
import { checkpointRecipe } from '../eval/load-encoder';
import { formatScore, runProbe, type ProbeRunResult } from '../eval/run-probe';
import { examples, printJson } from './shared';

interface ProbeFlags extends RecipeFlags, BackendFlags {
  readonly checkpoint?: string;
  readonly randomInit?: boolean;
  readonly baseline?: boolean;
  readonly mmearthSparse?: boolean;
  readonly split?: string;
  readonly labelField?: string;
  readonly folds: number;
  readonly method: 'logistic' | 'knn';
  readonly json?: boolean;
  readonly out?: string;
}

/** Print a probe result as text. */
export function printProbe(ctx: CliContext, result: ProbeRunResult): void {
  ctx.io.out(`probe: ${result.probe.cv.method} on ${result.samples} samples, ${result.featureDim}-d features, ${result.classes.length} classes, stratified ${result.folds}-fold`);
  if (result.dropped.length) ctx.io.out(`  left out (fewer than ${result.folds} samples): ${result.dropped.join(', ')}`);
  const line = (label: string, o: NonNullable<ProbeRunResult['baseline']>) =>
    ctx.io.out(`  ${label.padEnd(12)} accuracy ${formatScore(o.cv.accuracy)}, macro-F1 ${o.cv.macroF1.mean.toFixed(3)}   [${o.origin}]`);
  line('encoder', result.probe);
  if (result.baseline) line('random init', result.baseline);
}

/** `terramae probe`: linear probe / kNN of a frozen encoder with stratified k-fold cross-validation. */
export function registerProbeCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command('probe')
    .description('linear probe (or kNN) of a frozen encoder on a labelled dataset, stratified k-fold cross-validation');
  command
    .option('-c, --checkpoint <path>', 'encoder weights: a terramae checkpoint folder (its recipe is used), a .safetensors or a .pth')
    .option('--random-init', 'probe the recipe\'s randomly initialised encoder instead')
    .option('--baseline', 'also probe the random-init encoder of the same recipe, for comparison')
    .option('--mmearth-sparse', 'the .pth is an MMEarth sparse FCMAE checkpoint (map its keys to the dense encoder)');
  addRecipeOptions(command, 'the recipe defining the encoder (default: the checkpoint\'s)');
  command
    .option('--split <name>', 'split to probe (default: test; MMEarth-layout data and GeoTIFF folders with split sub-folders)')
    .option('--label-field <field>', 'tile-info field holding the class of MMEarth-layout data (default: label)')
    .option('--folds <n>', 'cross-validation folds', positiveInt, 5)
    .addOption(new Option('--method <name>', 'probe').choices(['logistic', 'knn']).default('logistic'))
    .option('--json', 'print the result as JSON')
    .option('-o, --out <file>', 'also write the result as JSON to a file');
  addBackendOptions(command);
  command.addHelpText(
    'after',
    examples([
      'terramae probe --checkpoint runs/mpmae/checkpoints/checkpoint-00000200 --baseline',
      'terramae probe --checkpoint runs/mpmae/checkpoints/checkpoint-00000200 --data ../shared/data/eurosat-ms-270 --split train',
      'terramae probe --checkpoint mmearth-atto.pth --mmearth-sparse --recipe mp-mae --data eurosat/ --folds 3',
      'terramae probe --random-init --recipe mp-mae-laptop --seed 0',
    ]),
  );
  command.action(async (flags: ProbeFlags) => {
    if (!flags.checkpoint && !flags.randomInit) throw new UsageError('probe needs --checkpoint <path> or --random-init.');
    if (flags.checkpoint && flags.randomInit) throw new UsageError('pass either --checkpoint or --random-init, not both.');
    const recipe = resolveRecipe(flags, flags.checkpoint && !flags.recipe ? checkpointRecipe(flags.checkpoint) : undefined);
    await startBackend(flags, ctx);
    const result = await runProbe(
      {
        recipe,
        ...(flags.checkpoint ? { checkpoint: flags.checkpoint } : {}),
        ...(flags.baseline ? { baseline: true } : {}),
        ...(flags.mmearthSparse ? { mmearthSparse: true } : {}),
        ...(flags.split ? { split: flags.split } : {}),
        ...(flags.labelField ? { labelField: flags.labelField } : {}),
        folds: flags.folds,
        method: flags.method,
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      },
      ctx,
    );
    const json = {
      data: result.data,
      samples: result.samples,
      classes: result.classes,
      dropped: result.dropped,
      folds: result.folds,
      method: result.probe.cv.method,
      encoder: { origin: result.probe.origin, accuracy: result.probe.cv.accuracy, macroF1: result.probe.cv.macroF1 },
      ...(result.baseline ? { baseline: { origin: result.baseline.origin, accuracy: result.baseline.cv.accuracy, macroF1: result.baseline.cv.macroF1 } } : {}),
    };
    if (flags.out) writeFileSync(flags.out, `${JSON.stringify(json, null, 2)}\n`);
    if (flags.json) printJson(ctx, json);
    else printProbe(ctx, result);
  });
}
