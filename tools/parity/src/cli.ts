// `npm run parity -- [--dir <fixtures>] [--backend cpu,wasm] [--case name] [--kind k] [--allow-missing]`
import { USAGE, parseParityArgs } from './args';
import { defaultFixtureDir } from './default-dir';
import { ParityError } from './errors';
import { runParity } from './runner';
import { formatReport } from './table';

async function main(argv: string[]): Promise<number> {
  const args = parseParityArgs(argv);
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const dir = args.dir ?? defaultFixtureDir();
  if (!dir) {
    throw new ParityError('no fixture folder: pass --dir <folder with manifest.json>, or set TERRAMAE_SHARED (its fixtures/parity is used)');
  }
  const report = await runParity({
    dir,
    allowMissing: args.allowMissing,
    toleranceScale: args.toleranceScale,
    ...(args.backends ? { backends: args.backends } : {}),
    ...(args.cases ? { cases: args.cases } : {}),
    ...(args.kinds ? { kinds: args.kinds } : {}),
    onResult: (r) => process.stderr.write(`[parity] ${r.case} on ${r.backend}: ${r.status}\n`),
  });
  for (const line of formatReport(report, { failuresOnly: args.failuresOnly })) console.log(line);
  return report.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof ParityError ? `parity: ${error.message}` : error);
    process.exitCode = 2;
  },
);
