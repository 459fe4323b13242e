import type { Command } from 'commander';
import type { CliContext } from '../context';
import { EXIT_CODES } from '../errors';
import { DEMO_DEFAULTS, runDemo } from '../demo/run-demo';
import { formatScore } from '../eval/run-probe';
import { addBackendOptions, startBackend, type BackendFlags } from '../options/backend';
import { finiteNumber, nonNegativeInt, positiveInt } from '../options/parsers';
import { describeRun, lossTable } from '../train/run-pretraining';
import { formatDuration } from '../util/format';
import { examples, printTable } from './shared';

interface DemoFlags extends BackendFlags {
  readonly out: string;
  readonly steps: number;
  readonly locations: number;
  readonly batchSize: number;
  readonly blr: number;
  readonly folds: number;
  readonly seed: number;
  readonly freshData?: boolean;
  readonly resume?: boolean;
}

/** `terramae demo`: synth → pretrain MP-MAE (12 tasks) → linear probe vs random init. */
export function registerDemoCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command('demo')
    .description('the main job in one command: synthesise a multi-modal Earth, pretrain MP-MAE with all 12 tasks on ConvNeXt V2 atto, linear-probe it against its random init');
  command
    .option('-o, --out <dir>', 'run folder', 'runs/demo')
    .option('--steps <n>', 'pretraining steps', positiveInt, DEMO_DEFAULTS.steps)
    .option('--locations <n>', 'synthetic tiles to generate', positiveInt, DEMO_DEFAULTS.locations)
    .option('--batch-size <n>', 'tiles per step', positiveInt, DEMO_DEFAULTS.batchSize)
    .option('--blr <x>', 'base learning rate (lr = blr · batch / 256)', finiteNumber, DEMO_DEFAULTS.blr)
    .option('--folds <n>', 'cross-validation folds of the probe', positiveInt, DEMO_DEFAULTS.folds)
    .option('--seed <n>', 'seed of the data, initialisation, masks and folds', nonNegativeInt, DEMO_DEFAULTS.seed)
    .option('--fresh-data', 'regenerate the synthetic data even if <out>/data has it')
    .option('--resume', 'continue an interrupted demo from its latest checkpoint');
  addBackendOptions(command);
  command.addHelpText('after', examples(['npm run demo            # from a clone: builds, then runs this', 'terramae demo --out runs/demo --steps 300 --backend wasm']));
  command.action(async (flags: DemoFlags) => {
    await startBackend(flags, ctx);
    const result = await runDemo(
      {
        out: flags.out,
        steps: flags.steps,
        locations: flags.locations,
        batchSize: flags.batchSize,
        blr: flags.blr,
        folds: flags.folds,
        seed: flags.seed,
        ...(flags.freshData ? { freshData: true } : {}),
        ...(flags.resume ? { resume: true } : {}),
      },
      ctx,
    );
    const p = result.pretraining;
    ctx.io.out('');
    ctx.io.out(`terramae demo: ${p.stoppedEarly ? 'interrupted' : 'done'} in ${formatDuration(result.seconds)}`);
    ctx.io.out(`pretraining (${p.recipe.tasks.length} MP-MAE tasks, ${(p.parameters / 1e6).toFixed(2)}M parameters): ${describeRun(p)}`);
    ctx.io.out('per-task loss, start vs end of the run (unweighted task losses; the total is the uncertainty-weighted sum that is optimised):');
    printTable(ctx, lossTable(p), '  ');
    if (result.probe) {
      const r = result.probe;
      ctx.io.out(`linear probe on ${r.samples} held-out tiles (dominant land cover, ${r.classes.length} classes, stratified ${r.folds}-fold):`);
      ctx.io.out(`  pretrained    accuracy ${formatScore(r.probe.cv.accuracy)}`);
      if (r.baseline) ctx.io.out(`  random init   accuracy ${formatScore(r.baseline.cv.accuracy)}`);
      if (r.dropped.length) ctx.io.out(`  (left out classes with fewer than ${r.folds} tiles: ${r.dropped.join(', ')})`);
      ctx.io.out('  Minutes of pretraining on synthetic tiles show that every part runs and learns (the losses above);');
      ctx.io.out('  random convolutional features are a strong probe baseline; comparing with them fairly needs far longer runs.');
    }
    ctx.io.out('written:');
    ctx.io.out(`  data        ${result.data}   (SYNTHETIC, MMEarth layout)`);
    if (p.checkpoint) ctx.io.out(`  checkpoint  ${p.checkpoint}`);
    if (p.picture) ctx.io.out(`  picture     ${p.picture}`);
    ctx.io.out(`  metrics     ${p.metrics}`);
    if (p.stoppedEarly) {
      ctx.io.out(`resume with: terramae demo --out ${flags.out} --resume   (from a clone: npm run demo -- --resume)`);
      ctx.exitCode = EXIT_CODES.interrupted;
    }
  });
}
