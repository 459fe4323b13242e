import * as tf from '@tensorflow/tfjs';
import { fcmaeMasking, disposeMask } from '@terramae/masking';
import {
  MMEARTH_TASK_ORDER,
  fcmaePixelCrossEntropy,
  fcmaePixelMseLoss,
  imageCrossEntropy,
  imageMse,
  uncertaintyTerms,
} from '@terramae/pretext';
import { leanVariableGrads, Rng, patchify } from '@terramae/tensors';
import { ParityError } from '../errors';
import type { ParityContext, ParityOutputs, ParityValue } from '../registry';
import { caseValue } from './settings';

const LOG_VARS = 'loss_fn.log_vars';

function kindOf(ctx: ParityContext, modality: string): string {
  const entry = MMEARTH_TASK_ORDER.find((e) => e.modality === modality);
  if (!entry) throw new ParityError(`case "${ctx.case.name}": unknown MMEarth modality '${modality}' in the task order`);
  return entry.kind;
}

/** A trainable float variable from a fixture tensor (the tensor is disposed). */
function variableOf(t: tf.Tensor, name: string): tf.Variable {
  const v = tf.tidy(() => tf.variable(t.toFloat(), true, name));
  t.dispose();
  return v;
}

/** `[N, C, H, W]` → NHWC. */
const nhwc = (t: tf.Tensor): tf.Tensor4D => tf.tidy(() => t.transpose([0, 2, 3, 1]) as tf.Tensor4D);

/**
 * `fcmae_loss`: MMEarth-train's `FCMAE.forward_loss` and `UncertaintyWeightingStrategy` with
 * terramae's MMEarth losses (`@terramae/pretext`): the mask from the recorded noise
 * (`fcmaeMasking`), the patchified targets, each task loss (continuous pixel MSE with norm-pix on
 * S2, categorical pixel CE with ignore −1, image CE on argmax(one-hot), image MSE over non-NaN),
 * the per-task uncertainty terms, both totals, and the gradients of the uncertainty total with
 * respect to every prediction (NCHW, as stored) and `loss_fn.log_vars`. Task order, patch size,
 * norm-pix and mask ratio come from the case.
 */
export function fcmaeLossHandler(ctx: ParityContext): ParityOutputs {
  const f = ctx.fixture;
  const order = (caseValue(ctx, 'task_order') ?? caseValue(ctx, 'constructor.args.out_modalities (task order)')) as string[] | undefined;
  if (!Array.isArray(order) || order.length === 0) throw new ParityError(`case "${ctx.case.name}": task_order must list the task modalities`);
  const p = caseValue(ctx, 'constructor.patch_size');
  if (typeof p !== 'number') throw new ParityError(`case "${ctx.case.name}": constructor.patch_size must be a number`);
  const normPix = caseValue(ctx, 'constructor.norm_pix_loss') === true;
  const ratio = (caseValue(ctx, 'constructor.mask_ratio') as number | undefined) ?? 0.6;

  const noise = f.float32('input/mask_noise');
  const [n, l] = f.shape('input/mask_noise') as [number, number];
  const firstPix = order.find((m) => f.has(`input/pred/${m}`) && f.shape(`input/pred/${m}`).length === 4);
  const [h, w] = firstPix ? (f.shape(`input/pred/${firstPix}`).slice(2) as [number, number]) : [Math.round(Math.sqrt(l)), Math.round(Math.sqrt(l))];
  const mask = fcmaeMasking({ ratio }).sample({ count: n, grid: [h, w], rng: new Rng(0), noise });
  const out = new Map<string, ParityValue>();
  const preds = new Map<string, tf.Variable>();
  const targets = new Map<string, tf.Tensor>();
  let logVars: tf.Variable | undefined;
  try {
    out.set('output/mask', mask.mask.clone());
    for (const m of order) {
      preds.set(m, variableOf(f.tensor(`input/pred/${m}`), `pred_${m}_${ctx.backend}`));
      const raw = f.tensor(`input/target/${m}`);
      const kind = kindOf(ctx, m);
      let target: tf.Tensor;
      if (kind === 'imgcat') target = tf.tidy(() => raw.argMax(-1).toInt()); // one-hot → class (all-zero row → 0)
      else if (kind === 'pixcat') target = tf.tidy(() => raw.squeeze([1]).toInt()); // [N,1,H,W] → [N,H,W]
      else if (kind === 'imgcont') target = tf.tidy(() => raw.toFloat());
      else target = tf.tidy(() => nhwc(raw.toFloat()));
      raw.dispose();
      targets.set(m, target);
      if (ctx.expected.includes(`output/patchify/${m}`)) {
        const pt = tf.tidy(() => (kind === 'pixcat' ? patchify(target.expandDims(-1).toFloat() as tf.Tensor4D, p).toInt() : patchify(target as tf.Tensor4D, p)));
        out.set(`output/patchify/${m}`, pt);
      }
    }
    logVars = variableOf(f.tensor(`param/${LOG_VARS}`), `log_vars_${ctx.backend}`);
    const losses = (): tf.Scalar[] =>
      order.map((m) => {
        const pred = preds.get(m) as tf.Variable;
        const target = targets.get(m) as tf.Tensor;
        const kind = kindOf(ctx, m);
        if (kind === 'imgcat') return imageCrossEntropy(pred as unknown as tf.Tensor2D, target as tf.Tensor1D);
        if (kind === 'imgcont') return imageMse(pred as unknown as tf.Tensor2D, target as tf.Tensor2D);
        const [, d, hh, ww] = pred.shape as [number, number, number, number];
        const flat = pred.transpose([0, 2, 3, 1]).reshape([n, hh * ww, d]) as tf.Tensor3D;
        if (kind === 'pixcat') return fcmaePixelCrossEntropy(flat, target, mask.mask, p, d / (p * p), { ignoreIndex: -1 });
        return fcmaePixelMseLoss(flat, target as tf.Tensor4D, mask.mask, p, { normPix: normPix && m === 'sentinel2', eps: 1e-6 });
      });
    const lv = logVars;
    tf.tidy(() => {
      const ls = losses();
      ls.forEach((loss, i) => out.set(`output/loss/${order[i]}`, tf.keep(loss.clone())));
      const terms = uncertaintyTerms(tf.stack(ls) as tf.Tensor1D, lv as unknown as tf.Tensor1D);
      out.set('output/weighted_losses', tf.keep(terms.clone()));
      out.set('output/loss_total', tf.keep(terms.sum()));
      out.set('output/loss_total_unweighted', tf.keep(tf.addN(ls)));
    });
    const vars = [...preds.values(), lv];
    const { value, grads } = leanVariableGrads(() => uncertaintyTerms(tf.stack(losses()) as tf.Tensor1D, lv as unknown as tf.Tensor1D).sum() as tf.Scalar, vars);
    value.dispose();
    for (const m of order) out.set(`grad/input/pred/${m}`, grads[(preds.get(m) as tf.Variable).name] as tf.Tensor);
    out.set(`grad/${LOG_VARS}`, grads[lv.name] as tf.Tensor);
    for (const [name, v] of out) {
      if (!ctx.expected.includes(name)) {
        if (v instanceof tf.Tensor) v.dispose();
        out.delete(name);
      }
    }
    return out;
  } finally {
    disposeMask(mask);
    for (const v of preds.values()) v.dispose();
    for (const t of targets.values()) t.dispose();
    logVars?.dispose();
  }
}
