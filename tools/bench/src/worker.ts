// Child process of the harness: measures one terramae case in a fresh process (so that peak RSS
// belongs to that case alone) and prints one line `BENCH_RESULT <json>`.
import { measureTerramae, type TerramaeCase } from './measure-terramae';

const spec = JSON.parse(process.argv[2] ?? '{}') as TerramaeCase;
try {
  const result = await measureTerramae(spec);
  console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
} catch (error) {
  console.log(`BENCH_RESULT ${JSON.stringify({ error: (error as Error).message.split('\n')[0] })}`);
  process.exitCode = 1;
}
