import type { Command } from 'commander';
import type { CliContext } from '../context';
import { nonNegativeInt, positiveInt } from '../options/parsers';
import { writeSyntheticDataset } from '../synth/write-synthetic';
import { formatDuration } from '../util/format';
import { examples, printJson } from './shared';

interface SynthFlags {
  readonly out: string;
  readonly locations: number;
  readonly tileSize: number;
  readonly seed: number;
  readonly siteSize: number;
  readonly compression: number;
  readonly overwrite?: boolean;
  readonly json?: boolean;
}

/** `terramae synth`: write the synthetic multi-modal dataset. */
export function registerSynthCommand(program: Command, ctx: CliContext): void {
  program
    .command('synth')
    .description('write the synthetic multi-modal Earth (the 12 MMEarth modalities from one simulated terrain, climate and land cover) as an MMEarth-layout dataset')
    .option('-o, --out <dir>', 'folder to write into', 'data/synthetic')
    .option('-n, --locations <n>', 'number of tiles', positiveInt, 256)
    .option('--tile-size <px>', 'tile side in pixels at 10 m', positiveInt, 64)
    .option('--seed <n>', 'seed (the same seed gives the same Earth, tile for tile)', nonNegativeInt, 0)
    .option('--site-size <n>', 'tiles per side of a site (adjacent tiles, for neighbour pairs)', positiveInt, 2)
    .option('--compression <level>', 'gzip level 0..9 (0 = fastest)', nonNegativeInt, 0)
    .option('--overwrite', 'replace an existing dataset')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', examples(['terramae synth --out data/synthetic --locations 512', 'terramae inspect data/synthetic']))
    .action(async (flags: SynthFlags) => {
      const result = await writeSyntheticDataset(flags.out, {
        numLocations: flags.locations,
        tileSize: flags.tileSize,
        seed: flags.seed,
        siteSize: flags.siteSize,
        compression: flags.compression,
        ...(flags.overwrite ? { overwrite: true } : {}),
      });
      if (flags.json) {
        printJson(ctx, result);
        return;
      }
      ctx.io.out(`wrote ${result.samples} synthetic tiles (${flags.tileSize} px) to ${result.h5} in ${formatDuration(result.seconds)}`);
      ctx.io.out(`  splits: ${Object.entries(result.splits).map(([k, n]) => `${k} ${n}`).join(', ')}`);
      ctx.io.out(`  dominant land cover (probe label): ${Object.entries(result.labels).map(([k, n]) => `${k} ${n}`).join(', ')}`);
    });
}
