import { parseArgs } from 'node:util';
import { ParityError } from './errors';

/** Parsed command line of `npm run parity`. */
export interface ParityCliArgs {
  /** `--dir`: the fixture folder. */
  readonly dir?: string;
  /** `--backend`: backends to run on. */
  readonly backends?: string[];
  /** `--case`: case names to run. */
  readonly cases?: string[];
  /** `--kind`: kinds to run. */
  readonly kinds?: string[];
  /** `--allow-missing`: kinds without a handler do not fail the run. */
  readonly allowMissing: boolean;
  /** `--tolerance-scale`: multiplies every tolerance. */
  readonly toleranceScale: number;
  /** `--failures-only`: print only failing rows. */
  readonly failuresOnly: boolean;
  /** `--help`. */
  readonly help: boolean;
}

/** Usage text. */
export const USAGE = `usage: npm run parity -- [--dir <fixtures>] [--backend cpu,wasm] [--case name[,name]] [--kind k[,k]]
                       [--allow-missing] [--tolerance-scale k] [--failures-only]
  --dir              fixture folder with manifest.json (default: $TERRAMAE_SHARED/fixtures/parity,
                     else ../shared/fixtures/parity beside the repository)
  --backend          backends to run on, comma separated or repeated (default cpu,wasm)
  --case, --kind     run only these cases / kinds (comma separated or repeated)
  --allow-missing    kinds without a registered handler do not fail the run (still listed as pending)
  --tolerance-scale  multiply every tolerance (e.g. 10-100 for WebGL/WebGPU)
  --failures-only    print only failing tensor rows`;

function list(values: string[] | undefined): string[] | undefined {
  const out = (values ?? []).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
  return out.length ? out : undefined;
}

/** Parse the arguments after `npm run parity --`. Throws a {@link ParityError} with the usage on a bad flag. */
export function parseParityArgs(argv: readonly string[]): ParityCliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        dir: { type: 'string' },
        backend: { type: 'string', multiple: true },
        case: { type: 'string', multiple: true },
        kind: { type: 'string', multiple: true },
        'allow-missing': { type: 'boolean', default: false },
        'tolerance-scale': { type: 'string' },
        'failures-only': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new ParityError(`${(error as Error).message}\n${USAGE}`);
  }
  const v = parsed.values;
  const scale = v['tolerance-scale'] === undefined ? 1 : Number(v['tolerance-scale']);
  if (!(scale > 0)) throw new ParityError(`--tolerance-scale must be a positive number, got "${v['tolerance-scale']}"\n${USAGE}`);
  const args: ParityCliArgs = {
    allowMissing: v['allow-missing'] === true,
    toleranceScale: scale,
    failuresOnly: v['failures-only'] === true,
    help: v.help === true,
    ...(v.dir !== undefined ? { dir: v.dir } : {}),
    ...(list(v.backend) ? { backends: list(v.backend)! } : {}),
    ...(list(v.case) ? { cases: list(v.case)! } : {}),
    ...(list(v.kind) ? { kinds: list(v.kind)! } : {}),
  };
  return args;
}
