import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
async function time(label: string, f: () => tf.Tensor[], reps = 3) {
  const ref = f(); const vals = ref.map(t=>t.dataSync()); ref.forEach(t=>t.dispose());
  const ts: number[] = [];
  for (let r = 0; r < reps; r++) { const t0 = performance.now(); const o = f(); o.forEach(t=>{t.dataSync(); t.dispose();}); ts.push(performance.now() - t0); }
  console.log(label, ts.map((t) => t.toFixed(0)).join(' '), 'ms');
  return vals;
}
await tf.setBackend(process.argv[2] ?? 'wasm'); await tf.ready();
function mx(a: Float32Array, b?: Float32Array) { let m=0; for (let i=0;i<a.length;i++) m=Math.max(m, Math.abs(a[i]-(b? b[i]:0))); return m; }
async function main() {
const [N,H,W,C,k] = [8,56,56,40,7]; const q=(k-1)/2;
const x = tf.randomNormal([N,H,W,C]) as tf.Tensor4D;
const dy = tf.randomNormal([N,H,W,C]) as tf.Tensor4D;
const slow = process.argv[2] !== 'cpu';
let a: Float32Array[] = [];
if (slow) a = await time('dw filter grad: 49 taps', () => [tf.tidy(() => {
  const xp = tf.pad(x, [[0,0],[q,q],[q,q],[0,0]]);
  const taps: tf.Tensor[] = [];
  for (let i=0;i<k;i++) for (let j=0;j<k;j++) taps.push(xp.slice([0,i,j,0],[N,H,W,C]).mul(dy).sum([0,1,2]));
  return tf.stack(taps).reshape([k,k,C,1]);
})]);
const b = await time('dw filter grad: batch-channel depthwise', () => [tf.tidy(() => {
  const xp = tf.pad(x, [[0,0],[q,q],[q,q],[0,0]]);
  const xt = xp.transpose([1,2,0,3]).reshape([1,H+2*q,W+2*q,N*C]) as tf.Tensor4D;
  const ft = dy.transpose([1,2,0,3]).reshape([H,W,N*C,1]) as tf.Tensor4D;
  const r = tf.depthwiseConv2d(xt, ft, 1, 'valid'); // [1,k,k,N*C]
  return r.reshape([k,k,N,C]).sum(2).reshape([k,k,C,1]);
})]);
if (slow) console.log('maxdiff', mx(a[0], b[0]), mx(a[0]));
if (process.argv[2]==='cpu') {
  const w = tf.randomNormal([k,k,C,1]) as tf.Tensor4D;
  const c = await time('cpu native dw filter grad', () => [tf.depthwiseConv2dNativeBackpropFilter ? (tf as any).depthwiseConv2dNativeBackpropFilter(x, dy, [k,k,C,1], 1, 'same') : tf.grads((xx: tf.Tensor, ww: tf.Tensor)=>tf.depthwiseConv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 1, 'same').mul(dy).sum())([x,w])[1]]);
  console.log('maxdiff', mx(c[0], b[0]));
}
// conv2d
const [Ci,Co,kk] = [12,40,3]; const qq=1;
const x2 = tf.randomNormal([N,H,W,Ci]) as tf.Tensor4D;
const w2 = tf.randomNormal([kk,kk,Ci,Co]) as tf.Tensor4D;
const dy2 = tf.randomNormal([N,H,W,Co]) as tf.Tensor4D;
await time('native conv fwd', () => [tf.conv2d(x2, w2, 1, 'same')]);
const d1 = await time('conv dx via conv of padded dy, flipped w', () => [tf.tidy(() => {
  const wf = tf.reverse(w2,[0,1]).transpose([0,1,3,2]) as tf.Tensor4D;
  const p = kk-1-qq;
  return tf.conv2d(tf.pad(dy2,[[0,0],[p,p],[p,p],[0,0]]) as tf.Tensor4D, wf, 1, 'valid');
})]);
const d2 = await time('conv dx via conv2dTranspose', () => [tf.conv2dTranspose(dy2, w2, [N,H,W,Ci], 1, 'same')]);
console.log('maxdiff', mx(d1[0], d2[0]));
const e2 = await time('conv dw via im2col matmul', () => [tf.tidy(() => {
  const xp = tf.pad(x2,[[0,0],[qq,qq],[qq,qq],[0,0]]);
  const s: tf.Tensor[] = [];
  for (let i=0;i<kk;i++) for (let j=0;j<kk;j++) s.push(xp.slice([0,i,j,0],[N,H,W,Ci]));
  const cols = tf.concat(s,3).reshape([N*H*W, kk*kk*Ci]);
  return tf.matMul(cols, dy2.reshape([N*H*W,Co]), true, false).reshape([kk,kk,Ci,Co]);
})]);

const e3 = await time('conv dw via 9 transposed matmuls', () => [tf.tidy(() => {
  const xp = tf.pad(x2,[[0,0],[qq,qq],[qq,qq],[0,0]]);
  const d = dy2.reshape([N*H*W,Co]) as tf.Tensor2D;
  const s: tf.Tensor[] = [];
  for (let i=0;i<kk;i++) for (let j=0;j<kk;j++) s.push(tf.matMul(xp.slice([0,i,j,0],[N,H,W,Ci]).reshape([N*H*W,Ci]) as tf.Tensor2D, d, true, false));
  return tf.stack(s).reshape([kk,kk,Ci,Co]);
})]);
console.log('maxdiff', mx(e3[0], e2[0]), mx(e2[0]));
for (const [hh, nn] of [[8,2],[16,2],[32,8],[56,8]]) {
  try {
  await time('batch-channel conv '+hh+' '+nn, () => [tf.tidy(() => {
    const xs = tf.randomNormal([nn,hh+2,hh+2,Ci]);
    const ds = tf.randomNormal([nn,hh,hh,Co]);
    return tf.conv2d(xs.transpose([3,1,2,0]) as tf.Tensor4D, ds.transpose([1,2,0,3]) as tf.Tensor4D, 1, 'valid');
  })], 1);
  } catch (e) { console.log('fail', hh, nn, String(e)); }
}


}
main().catch((e) => { console.log('ERR', e, e?.stack); });
