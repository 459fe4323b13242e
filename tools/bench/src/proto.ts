import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@terramae/tensors';
import { makeWorkload, makeWorkloadData } from './workloads';
import { createTrainStep } from './train-step';
const fam = (process.argv[2] ?? 'mpmae') as never; const input = Number(process.argv[3] ?? 56); const bs = Number(process.argv[4] ?? 8);
await initBackend({ backend: (process.env.BK ?? 'wasm') as 'wasm' });
const w = makeWorkload(fam, input);
let t = performance.now();
const d = makeWorkloadData(w, bs);
const batch = (await d.loader.stream().next()).value!;
console.log('data', (performance.now()-t).toFixed(0), Object.keys(batch.modalities));
const s = createTrainStep(w, d.source.specs);
for (let i = 0; i < 3; i++) { t = performance.now(); const l = await s.run(batch); console.log('step', i, (performance.now()-t).toFixed(0), l, tf.memory().numTensors); }
if (process.env.PROF) {
  const p = await tf.profile(async () => { await s.run(batch); });
  const agg = new Map<string, {ms:number,n:number}>();
  for (const k of p.kernels) { const e = agg.get(k.name) ?? {ms:0,n:0}; e.ms += (k.kernelTimeMs as number); e.n++; agg.set(k.name, e); }
  const tot = [...agg.values()].reduce((a,b)=>a+b.ms,0);
  console.log('total kernel ms', tot.toFixed(0));
  for (const [k,v] of [...agg.entries()].sort((a,b)=>b[1].ms-a[1].ms).slice(0,25)) console.log(k.padEnd(30), v.ms.toFixed(0), v.n);
}
