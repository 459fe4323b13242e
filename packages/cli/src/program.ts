import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import type { CliContext } from './context';
import { UsageError } from './errors';
import { collect } from './options/parsers';
import { registerConvertCommand } from './commands/convert';
import { registerDemoCommand } from './commands/demo';
import { registerEmbedCommand } from './commands/embed';
import { registerFinetuneCommand } from './commands/finetune';
import { registerInspectCommand } from './commands/inspect';
import { registerPretrainCommand } from './commands/pretrain';
import { registerProbeCommand } from './commands/probe';
import { registerRecipesCommand } from './commands/recipes';
import { registerSynthCommand } from './commands/synth';
import { CLI_VERSION } from './version';

/**
 * Import plugin modules (side effects: they register pretext tasks, backbones, modalities or
 * aggregators in the global registries). Relative paths resolve from the working directory.
 */
export async function loadPlugins(specifiers: readonly string[]): Promise<void> {
  for (const spec of specifiers) {
    const url = spec.startsWith('.') || isAbsolute(spec) ? pathToFileURL(resolve(spec)).href : spec;
    try {
      await import(/* @vite-ignore */ url);
    } catch (error) {
      throw new UsageError(`--plugin ${spec}: cannot import it (${(error as Error).message}). Pass a module path (./my-task.js) or an installed package name.`);
    }
  }
}

/**
 * The `terramae` command line: every command registered on one commander program whose output
 * goes through `ctx.io` and whose errors are thrown (not printed and exited), so {@link run} can
 * map them to exit codes.
 */
export function createProgram(ctx: CliContext): Command {
  const program = new Command('terramae');
  program
    .description('Self-supervised pretraining of Earth-observation models (MP-MAE, NeighborMAE, MAE/FCMAE, hybrids) on TensorFlow.js')
    .version(CLI_VERSION, '-V, --version', 'print the version')
    .option('--verbose', 'print stack traces and extra detail on errors')
    .option('--plugin <module>', 'import a module that registers pretext tasks, backbones or modalities (repeatable)', collect)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.out(s.replace(/\n$/, '')),
      writeErr: (s) => ctx.io.err(s.replace(/\n$/, '')),
      outputError: (s, write) => write(`terramae: ${s.replace(/^error: /, '')}`),
    })
    .addHelpText(
      'after',
      '\nStart with:\n  $ terramae demo                      # synth → pretrain MP-MAE (12 tasks) → linear probe, a few minutes on a CPU\n  $ terramae recipes list\n  $ terramae <command> --help\n\nExit codes: 0 ok, 1 runtime failure, 2 usage error, 130 interrupted (Ctrl-C; a checkpoint is saved first).',
    );
  program.hook('preAction', async () => {
    const plugins = (program.opts<{ plugin?: string[] }>().plugin ?? []) as string[];
    if (plugins.length) await loadPlugins(plugins);
  });
  registerDemoCommand(program, ctx);
  registerPretrainCommand(program, ctx);
  registerProbeCommand(program, ctx);
  registerFinetuneCommand(program, ctx);
  registerEmbedCommand(program, ctx);
  registerSynthCommand(program, ctx);
  registerConvertCommand(program, ctx);
  registerInspectCommand(program, ctx);
  registerRecipesCommand(program, ctx);
  return program;
}
