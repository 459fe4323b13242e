import * as tf from '@tensorflow/tfjs';
import { AdamW, buildParamGroups, halfCycleCosineLr } from '@terramae/trainer';
import { ParityError } from '../errors';
import type { ParityContext, ParityOutputs, ParityValue } from '../registry';
import { caseNumber, caseValue } from './settings';

/**
 * `optimizer_adamw`: replays torch.optim.AdamW with `@terramae/trainer`'s AdamW.
 *
 * Parameters are the `input/init/<p>` tensors, gradients `input/grad/step<k>/<p>`. Every variant
 * `<v>` found among `output/<v>/…` is run from the initial values: without a `<v>_variant` entry in
 * the case it is one group with the constructor's `lr` and `weight_decay`; with one (e.g.
 * `sched_variant`) the parameters are split by the timm rule (no decay for ≤1-D parameters and
 * biases) and step `k` uses `halfCycleCosineLr(input/<v>/epoch[k], schedule_args)` (reported as
 * `output/<v>/lr`). After step `k` the parameters are `output/<v>/step<k>/<p>`, and after the last
 * step the moments are `output/<v>/exp_avg/<p>` and `output/<v>/exp_avg_sq/<p>`.
 */
export function optimizerAdamwHandler(ctx: ParityContext): ParityOutputs {
  const f = ctx.fixture;
  const params = f.names('input/init/').map((n) => n.slice('input/init/'.length));
  if (params.length === 0) throw new ParityError(`${f.path}: no input/init/<param> tensors`);
  const steps = [...new Set(f.names('input/grad/').map((n) => /^input\/grad\/step(\d+)\//.exec(n)?.[1]).filter((s): s is string => s !== undefined))]
    .map(Number)
    .sort((a, b) => a - b);
  const betas: [number, number] = [caseNumber(ctx, 'constructor.betas.0'), caseNumber(ctx, 'constructor.betas.1')];
  const eps = caseNumber(ctx, 'constructor.eps');
  const lr = caseNumber(ctx, 'constructor.lr');
  const weightDecay = caseNumber(ctx, 'constructor.weight_decay');
  const variants = [...new Set(ctx.expected.map((n) => n.split('/')[1]!))];
  const out = new Map<string, ParityValue>();

  for (const variant of variants) {
    const spec = caseValue(ctx, `${variant}_variant`) as { schedule_args?: unknown } | undefined;
    const vars = new Map(
      params.map((p) => {
        const init = f.tensor(`input/init/${p}`);
        const v = tf.variable(init, true);
        init.dispose(); // the variable keeps its own reference to the data
        return [p, v] as const;
      }),
    );
    const opt = spec
      ? new AdamW(buildParamGroups(vars, { weightDecay, noDecay: 'timm' }), { lr, betas, eps })
      : new AdamW([{ name: 'all', params: vars, weightDecay }], { lr, betas, eps });
    try {
      let lrs: number[] | undefined;
      if (spec?.schedule_args) {
        const at = `${variant}_variant.schedule_args`;
        const args = {
          lr: caseNumber(ctx, `${at}.lr`),
          minLr: caseNumber(ctx, `${at}.min_lr`),
          warmupEpochs: caseNumber(ctx, `${at}.warmup_epochs`),
          epochs: caseNumber(ctx, `${at}.epochs`),
        };
        lrs = f.numbers(`input/${variant}/epoch`).map((e) => halfCycleCosineLr(e, args));
        if (lrs.length < steps.length) throw new ParityError(`${f.path}: input/${variant}/epoch has ${lrs.length} entries for ${steps.length} steps`);
        out.set(`output/${variant}/lr`, lrs);
      }
      steps.forEach((k, i) => {
        if (lrs) opt.setLearningRate(lrs[i]!);
        const grads = new Map(params.filter((p) => f.has(`input/grad/step${k}/${p}`)).map((p) => [p, f.tensor(`input/grad/step${k}/${p}`)]));
        try {
          opt.applyGradients(grads);
        } finally {
          tf.dispose([...grads.values()]);
        }
        for (const [p, v] of vars) {
          const name = `output/${variant}/step${k}/${p}`;
          if (ctx.expected.includes(name)) out.set(name, v.clone());
        }
      });
      const state = opt.getState();
      for (const [key, t] of Object.entries(state)) {
        const name = `output/${variant}/${key}`; // exp_avg/<p>, exp_avg_sq/<p> (and step/<p>)
        if (ctx.expected.includes(name)) out.set(name, t);
        else t.dispose();
      }
    } finally {
      opt.dispose();
      for (const v of vars.values()) v.dispose();
    }
  }
  return out;
}
