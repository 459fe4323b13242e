import type * as tf from '@tensorflow/tfjs';
import * as tensors from '@terramae/tensors';
import { posEmbed2dSinCos } from '@terramae/tensors';
import { notComputed, type ParityContext, type ParityOutputs, type ParityValue } from '../registry';

/** `posEmbed1dSinCos(dim, positions)` (MAE `get_1d_sincos_pos_embed_from_grid`), when `@terramae/tensors` provides it. */
type PosEmbed1d = (dim: number, positions: ArrayLike<number> | tf.Tensor1D) => tf.Tensor2D | Float32Array;

const GRID_2D = /^output\/pos_embed_g(\d+)(?:x(\d+))?_d(\d+)(_cls)?$/;
const LINE_1D = /^output\/pos_1d_d(\d+)$/;

/**
 * `mae_pos_embed`: MAE's fixed sin-cos position embeddings, with sizes from the tensor names and
 * cross-checked against the reference shapes:
 * - `output/pos_embed_g<G>[x<W>]_d<D>[_cls]` = `posEmbed2dSinCos(D, G, W ?? G, cls)` (`[cls + G·W, D]`);
 * - `output/pos_1d_d<D>` = the 1-D embedding of `input/pos_1d` (MAE `get_1d_sincos_pos_embed_from_grid`),
 *   computed with `posEmbed1dSinCos` from `@terramae/tensors` when that package exports it.
 */
export function maePosEmbedHandler(ctx: ParityContext): ParityOutputs {
  const out = new Map<string, ParityValue>();
  for (const name of ctx.expected) {
    const shape = ctx.fixture.shape(name);
    const m2 = GRID_2D.exec(name);
    if (m2) {
      const gh = Number(m2[1]);
      const gw = m2[2] === undefined ? gh : Number(m2[2]);
      const dim = Number(m2[3]);
      const cls = m2[4] !== undefined;
      const rows = gh * gw + (cls ? 1 : 0);
      if (shape[0] !== rows || shape[1] !== dim) {
        out.set(name, notComputed(`name says ${rows}×${dim} but the reference is [${shape.join(', ')}]`));
        continue;
      }
      out.set(name, posEmbed2dSinCos(dim, gh, gw, cls));
      continue;
    }
    const m1 = LINE_1D.exec(name);
    if (m1) {
      const fn = (tensors as unknown as Record<string, unknown>)['posEmbed1dSinCos'] as PosEmbed1d | undefined;
      if (typeof fn !== 'function') {
        out.set(name, notComputed('@terramae/tensors has no posEmbed1dSinCos(dim, positions) yet'));
        continue;
      }
      const value = fn(Number(m1[1]), ctx.fixture.float32('input/pos_1d'));
      out.set(name, value instanceof Float32Array ? { shape, data: value } : value);
      continue;
    }
    out.set(name, notComputed(`mae_pos_embed does not know how to compute "${name}" (expected output/pos_embed_g<G>_d<D>[_cls] or output/pos_1d_d<D>)`));
  }
  return out;
}
