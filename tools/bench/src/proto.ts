import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@terramae/tensors';
import { makeWorkload, makeWorkloadData } from './workloads';
import { createTrainStep } from './train-step';
const fam = (process.argv[2] ?? 'mpmae') as never; const input = Number(process.argv[3] ?? 56); const bs = Number(process.argv[4] ?? 8);
await initBackend({ backend: (process.env.BK ?? 'wasm') as 'wasm' });
if (process.env.ACCEL) { const a = await import('@terramae/accel'); console.log(await a.enableAccel()); }
const w = makeWorkload(fam, input);
let t = performance.now();
const d = makeWorkloadData(w, bs);
const batch = (await d.loader.stream().next()).value!;
console.log('data', (performance.now()-t).toFixed(0));
const s = createTrainStep(w, d.source.specs);
const heap = () => ((tf.backend() as any).wasm?.HEAPU8?.length ?? 0) / 1e6;
const N = Number(process.env.N ?? 2);
for (let i = 0; i < N; i++) {
  const c0 = process.cpuUsage(); t = performance.now();
  if (process.env.PROF && i === N - 1) {
    const p = await tf.profile(async () => { await s.run(batch); });
    const agg = new Map<string, {ms:number,n:number}>();
    for (const k of p.kernels) { const e = agg.get(k.name) ?? {ms:0,n:0}; e.ms += (k.kernelTimeMs as number); e.n++; agg.set(k.name, e); }
    const tot = [...agg.values()].reduce((a,b)=>a+b.ms,0);
    console.log('total kernel ms', tot.toFixed(0), 'peakBytes', p.peakBytes/1e6);
    for (const [k,v] of [...agg.entries()].sort((a,b)=>b[1].ms-a[1].ms).slice(0,25)) console.log(k.padEnd(30), v.ms.toFixed(0), v.n);
    const big = [...p.kernels].sort((a,b)=>(b.kernelTimeMs as number)-(a.kernelTimeMs as number)).slice(0,15);
    const ks=p.kernels; let mx=0, mi=0; ks.forEach((k,i)=>{ if((k.totalBytesSnapshot as number)>mx){mx=k.totalBytesSnapshot as number; mi=i;} });
    console.log('peak at kernel', mi, 'of', ks.length, mx/1e6);
    for (let i=0;i<ks.length;i+=Math.floor(ks.length/40)) console.log('snap', i, ks[i].name, ((ks[i].totalBytesSnapshot as number)/1e6).toFixed(0));
    const bigAdd=[...ks].sort((a,b)=>(b.bytesAdded as number)-(a.bytesAdded as number)).slice(0,12); for (const k of bigAdd) console.log('add', k.name, ((k.bytesAdded as number)/1e6).toFixed(0), JSON.stringify(k.inputShapes), JSON.stringify(k.outputShapes));
    for (const k of big) console.log(k.name, (k.kernelTimeMs as number).toFixed(0), JSON.stringify(k.inputShapes), JSON.stringify(k.outputShapes));
  } else { await s.run(batch); }
  const c1 = process.cpuUsage(c0);
  console.log('step', i, 'wall', (performance.now()-t).toFixed(0), 'cpu', ((c1.user+c1.system)/1000).toFixed(0), tf.memory().numTensors, 'heapMB', heap(), 'rss', process.memoryUsage().rss/1e6);
}
