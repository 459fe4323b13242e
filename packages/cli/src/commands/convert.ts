import type { Command } from 'commander';
import type { CliContext } from '../context';
import { convertCheckpoint } from '../convert/convert-checkpoint';
import { startBackend } from '../options/backend';
import { formatCount } from '../util/format';
import { examples, printJson } from './shared';

interface ConvertFlags {
  readonly mmearthSparse?: boolean;
  readonly upstreamStem?: boolean;
  readonly key?: string;
  readonly only?: string;
  readonly addPrefix?: string;
  readonly json?: boolean;
}

/** `terramae convert`: `.pth` ↔ safetensors, MMEarth sparse → dense. */
export function registerConvertCommand(program: Command, ctx: CliContext): void {
  program
    .command('convert')
    .description('convert PyTorch .pth ↔ safetensors (names, dtypes and bytes exact), export a checkpoint\'s weights, or map an MMEarth sparse FCMAE checkpoint to the dense ConvNeXt V2')
    .argument('<input>', '.pth/.pt, .safetensors, or a terramae checkpoint folder')
    .argument('<output>', '.safetensors or .pth/.pt')
    .option('--mmearth-sparse', 'the input is an MMEarth sparse FCMAE checkpoint: keep its encoder, with dense ConvNeXt V2 keys and layouts')
    .option('--upstream-stem', 'with --mmearth-sparse: the checkpoint uses upstream ConvNeXt V2 stem names (ImageNet FCMAE)')
    .option('--key <path>', 'where the state dict is inside a .pth training checkpoint, e.g. model or ema/model (default: auto)')
    .option('--only <prefix>', 'keep only tensors whose name starts with prefix, and drop it (e.g. backbone. to export the encoder)')
    .option('--add-prefix <prefix>', 'prepend prefix to every name')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      examples([
        'terramae convert state_dict.pth state_dict.safetensors',
        'terramae convert pt-all_mod_atto_1M_64_uncertainty_56-8.pth atto.safetensors --mmearth-sparse',
        'terramae convert runs/mpmae/checkpoints/checkpoint-00000200 encoder.pth --only backbone.',
      ]),
    )
    .action(async (input: string, output: string, flags: ConvertFlags) => {
      if (flags.mmearthSparse) await startBackend({ backend: 'cpu' }, { ...ctx, io: { ...ctx.io, err: () => undefined } });
      const result = convertCheckpoint(input, output, {
        ...(flags.mmearthSparse ? { mmearthSparse: true } : {}),
        ...(flags.upstreamStem ? { upstreamStem: true } : {}),
        ...(flags.key ? { key: flags.key } : {}),
        ...(flags.only !== undefined ? { only: flags.only } : {}),
        ...(flags.addPrefix !== undefined ? { addPrefix: flags.addPrefix } : {}),
      });
      if (flags.json) {
        printJson(ctx, result);
        return;
      }
      ctx.io.out(`wrote ${result.output}: ${formatCount(result.tensors)} tensors, ${formatCount(result.parameters)} values`);
      if (result.dropped.length) {
        ctx.io.out(`  left out ${result.dropped.length}: ${result.dropped.slice(0, 8).join(', ')}${result.dropped.length > 8 ? ', …' : ''}`);
      }
    });
}
