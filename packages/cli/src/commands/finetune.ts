import type { Command } from 'commander';
import type { CliContext } from '../context';
import { EXIT_CODES, UsageError } from '../errors';
import { checkpointRecipe } from '../eval/load-encoder';
import { runFinetune } from '../eval/run-finetune';
import { addBackendOptions, startBackend, type BackendFlags } from '../options/backend';
import { finiteNumber, positiveInt } from '../options/parsers';
import { addRecipeOptions, resolveRecipe, type RecipeFlags } from '../options/recipe';
import { examples, printJson } from './shared';

interface FinetuneFlags extends RecipeFlags, BackendFlags {
  readonly checkpoint?: string;
  readonly randomInit?: boolean;
  readonly mmearthSparse?: boolean;
  readonly trainSplit: string;
  readonly testSplit: string;
  readonly labelField?: string;
  readonly epochs: number;
  readonly lr?: number;
  readonly layerDecay?: number;
  readonly labelSmoothing?: number;
  readonly linear?: boolean;
  readonly out?: string;
  readonly json?: boolean;
}

/** `terramae finetune`: supervised fine-tuning of an encoder with a classification head. */
export function registerFinetuneCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command('finetune')
    .description('fine-tune an encoder with a LayerNorm + linear head on a labelled dataset (MMEarth\'s recipe: AdamW, layer decay, label smoothing, cosine), then score the test split');
  command
    .option('-c, --checkpoint <path>', 'encoder weights: checkpoint folder (its recipe is used), .safetensors or .pth')
    .option('--random-init', 'start from the recipe\'s random initialisation')
    .option('--mmearth-sparse', 'the .pth is an MMEarth sparse FCMAE checkpoint');
  addRecipeOptions(command, 'the recipe defining the encoder (default: the checkpoint\'s)');
  command
    .option('--train-split <name>', 'split to train on', 'train')
    .option('--test-split <name>', 'split to score', 'test')
    .option('--label-field <field>', 'tile-info field with the class of MMEarth-layout data (default: label)')
    .option('--epochs <n>', 'epochs', positiveInt, 10)
    .option('--lr <x>', 'peak learning rate (default 8e-4)', finiteNumber)
    .option('--layer-decay <x>', 'layer-wise learning-rate decay (default 0.9; 1 = off)', finiteNumber)
    .option('--label-smoothing <x>', 'label smoothing (default 0.2)', finiteNumber)
    .option('--linear', 'train the head only on the frozen encoder (MMEarth\'s linear-probing recipe)')
    .option('-o, --out <dir>', 'write finetuned.safetensors (encoder + head) here')
    .option('--json', 'print the result as JSON');
  addBackendOptions(command);
  command.addHelpText(
    'after',
    examples([
      'terramae finetune --checkpoint runs/demo/checkpoints/checkpoint-00000300 --data data/synthetic --epochs 5 --batch-size 16',
      'terramae finetune --checkpoint runs/mpmae/checkpoints/checkpoint-00000200 --data ../shared/data/eurosat-ms-270 --linear --epochs 20',
    ]),
  );
  command.action(async (flags: FinetuneFlags) => {
    if (!flags.checkpoint && !flags.randomInit) throw new UsageError('finetune needs --checkpoint <path> or --random-init.');
    const recipe = resolveRecipe(flags, flags.checkpoint && !flags.recipe ? checkpointRecipe(flags.checkpoint) : undefined);
    await startBackend(flags, ctx);
    const result = await runFinetune(
      {
        recipe,
        ...(flags.checkpoint ? { checkpoint: flags.checkpoint } : {}),
        ...(flags.mmearthSparse ? { mmearthSparse: true } : {}),
        trainSplit: flags.trainSplit,
        testSplit: flags.testSplit,
        ...(flags.labelField ? { labelField: flags.labelField } : {}),
        epochs: flags.epochs,
        batchSize: flags.batchSize ?? 16,
        ...(flags.lr !== undefined ? { lr: flags.lr } : {}),
        ...(flags.layerDecay !== undefined ? { layerDecay: flags.layerDecay === 1 ? false : flags.layerDecay } : {}),
        ...(flags.labelSmoothing !== undefined ? { labelSmoothing: flags.labelSmoothing } : {}),
        ...(flags.linear ? { linear: true } : {}),
        ...(flags.out ? { out: flags.out } : {}),
      },
      ctx,
    );
    const interrupted = result.history.length < flags.epochs;
    if (flags.json) {
      printJson(ctx, { encoder: result.origin, classes: result.classes, epochs: result.history, test: { accuracy: result.test.accuracy, macroF1: result.test.macroF1, samples: result.test.samples }, weights: result.weights });
    } else {
      ctx.io.out(`${flags.linear ? 'linear-probed' : 'fine-tuned'} ${result.origin} for ${result.history.length} epoch(s) on ${result.trainSamples} samples, ${result.classes} classes`);
      ctx.io.out(`  test: accuracy ${result.test.accuracy.toFixed(3)}, macro-F1 ${result.test.macroF1.toFixed(3)} on ${result.test.samples} samples`);
      if (result.weights) ctx.io.out(`  weights: ${result.weights}`);
    }
    if (interrupted) ctx.exitCode = EXIT_CODES.interrupted;
  });
}
