// The box position-embedding path against LeungTsang/NeighborMAE (fixture neighbor_mae): the
// encoder's parameters load by their reference names, and `positionEmbedding` reproduces the
// reference's `make_pos_embed(pos)[0]` (box sin-cos + img_embed) before gathering. The full
// NeighborMAE forward and loss are compared by the pretext package.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSafetensors } from '@terramae/tensors';
import { sharedPath, testBackends, useBackend } from '@terramae/testing';
import { VisionTransformer } from './vision-transformer';

interface NeighborCase {
  readonly kind: string;
  readonly file: string;
  readonly constructor: { args: Record<string, number> };
  readonly tolerance: { forward: { rel_l2: number; max_abs_rel: number } };
}

const dir = sharedPath('fixtures', 'parity');
const manifest = dir ? (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { cases: NeighborCase[] }) : undefined;
const cases = (manifest?.cases ?? []).filter((c) => c.kind === 'neighbor_mae');

describe.skipIf(cases.length === 0)('ViT box position embedding parity with NeighborMAE', () => {
  for (const backend of testBackends()) {
    describe(backend, () => {
      beforeAll(() => useBackend(backend));
      for (const c of cases) {
        it(`${c.file}: encoder params load by name; encoder_pos_embed matches`, () => {
          const before = tf.memory().numTensors;
          const fixture = loadSafetensors(join(dir as string, c.file));
          const a = c.constructor.args;
          const model = new VisionTransformer({
            embedDim: a['embed_dim']!,
            depth: a['depth']!,
            numHeads: a['num_heads']!,
            patchSize: a['patch_size']!,
            inChannels: a['in_chans']!,
            imageSize: a['img_size']!,
            mlpRatio: a['mlp_ratio']!,
            posEmbed: 'box',
          });
          const names = model.namedParameters().map((p) => p.name);
          const dict: Record<string, tf.Tensor> = {};
          for (const n of names) if (fixture[`param/${n}`]) dict[n] = fixture[`param/${n}`]!;
          expect(Object.keys(dict).sort()).toEqual([...names].sort());
          model.loadTorchStateDict(dict);

          const pos = fixture['input/pos'] as tf.Tensor3D;
          const ref = fixture['output/encoder_pos_embed'] as tf.Tensor; // [B, V, L, D]
          const [b, v, l, d] = ref.shape as [number, number, number, number];
          const g = Math.round(Math.sqrt(l));
          const { relL2, maxAbsRel } = tf.tidy(() => {
            const mine = model.positionEmbedding([g, g], b * v, v, pos).reshape([b, v, l, d]);
            const diff = mine.sub(ref);
            return {
              relL2: diff.norm().div(ref.norm()).dataSync()[0]!,
              maxAbsRel: diff.abs().max().div(ref.abs().max()).dataSync()[0]!,
            };
          });
          expect(relL2).toBeLessThanOrEqual(c.tolerance.forward.rel_l2);
          expect(maxAbsRel).toBeLessThanOrEqual(c.tolerance.forward.max_abs_rel);
          console.log(`neighbor_mae encoder_pos_embed on ${backend}: rel_l2 ${relL2.toExponential(2)}, max_abs_rel ${maxAbsRel.toExponential(2)}`);
          model.dispose();
          tf.dispose(Object.values(fixture));
          expect(tf.memory().numTensors).toBe(before);
        });
      }
    });
  }
});
