import * as tf from '@tensorflow/tfjs';
import { ConvNeXtV2Block } from '@terramae/backbones';
import { ParityError } from '../errors';
import type { ParityContext, ParityOutputs, ParityValue } from '../registry';
import { fixtureNhwc, gradsWithInput, keepExpected, loadParams, variableFrom } from './convnextv2_dense';
import { caseValue } from './settings';

/**
 * `convnextv2_block`: one MMEarth-train ConvNeXt V2 `Block` (`models/convnextv2.py`, GRN from
 * `models/norm_layers.py` with eps 1e-4, or `constructor.grn_eps`): `y = x + pwconv2(GRN(GELU(
 * pwconv1(LN(dwconv7x7(x))))))`, `loss = Σ y·loss_weights` and its gradients with respect to
 * every parameter and the input. The width comes from the input shape (checked against
 * `constructor.dim`).
 */
export function convnextv2BlockHandler(ctx: ParityContext): ParityOutputs {
  const f = ctx.fixture;
  const [, c] = f.shape('input/x') as [number, number, number, number];
  const dim = caseValue(ctx, 'constructor.dim');
  if (dim !== undefined && dim !== c) throw new ParityError(`case "${ctx.case.name}": constructor.dim ${String(dim)} differs from input/x channels ${c}`);
  const eps = caseValue(ctx, 'constructor.grn_eps');
  const grnEps = typeof eps === 'number' ? eps : 1e-4;
  const dropPath = caseValue(ctx, 'constructor.drop_path');
  const block = new ConvNeXtV2Block({ dim: c, dropPath: typeof dropPath === 'number' ? dropPath : 0 });
  block.eval();
  const x = variableFrom(fixtureNhwc(f, 'input/x'));
  const weights = fixtureNhwc(f, 'input/loss_weights');
  try {
    loadParams(f, block);
    const out = new Map<string, ParityValue>();
    const run = () => block.forward(x as tf.Tensor4D, { grnEps });
    const y = run();
    out.set('output/y', tf.tidy(() => y.transpose([0, 3, 1, 2])));
    out.set('output/loss', tf.tidy(() => y.mul(weights).sum()));
    y.dispose();
    for (const [name, g] of gradsWithInput(block, x, () => run().mul(weights).sum() as tf.Scalar)) out.set(name, g);
    return keepExpected(ctx, out);
  } finally {
    x.dispose();
    weights.dispose();
    block.dispose();
  }
}
