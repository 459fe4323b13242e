import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { OptimizerError } from './errors';
import { convnextLayerDecay, vitLayerDecay } from './layer-decay';
import { buildParamGroups, VIT_NO_WEIGHT_DECAY } from './param-groups';

const made: tf.Variable[] = [];
function v(...shape: number[]): tf.Variable {
  const x = tf.variable(tf.zeros(shape));
  made.push(x);
  return x;
}
afterAll(() => {
  for (const x of made) x.dispose();
});

function summary(groups: ReturnType<typeof buildParamGroups>) {
  return groups.map((g) => ({ name: g.name, wd: g.weightDecay, lrScale: g.lrScale, params: [...g.params.keys()] }));
}

// A tiny ConvNeXt V2 (MMEarth names) and a tiny MAE ViT.
const convnext = new Map<string, tf.Variable>([
  ['initial_conv.0.weight', v(8, 3, 3, 3)],
  ['initial_conv.0.bias', v(8)],
  ['downsample_layers.0.1.weight', v(16, 8, 2, 2)],
  ['stages.0.0.dwconv.weight', v(8, 1, 7, 7)],
  ['stages.0.0.grn.gamma', v(1, 1, 1, 32)],
  ['stages.0.1.pwconv1.weight', v(32, 8)],
  ['stages.1.0.pwconv1.weight', v(64, 16)],
  ['stages.1.0.grn.beta', v(1, 1, 1, 64)],
  ['head.weight', v(10, 16)],
  ['head.bias', v(10)],
]);
const vit = new Map<string, tf.Variable>([
  ['cls_token', v(1, 1, 8)],
  ['mask_token', v(1, 1, 4)],
  ['patch_embed.proj.weight', v(8, 3, 2, 2)],
  ['patch_embed.proj.bias', v(8)],
  ['blocks.0.attn.qkv.weight', v(24, 8)],
  ['blocks.1.norm1.weight', v(8)],
  ['norm.weight', v(8)],
  ['decoder_pred.weight', v(12, 4)],
]);

describe('buildParamGroups', () => {
  it("'timm' (MAE/MMEarth pretraining): no decay for <=1-D and .bias; tokens are decayed without a skip list", () => {
    expect(summary(buildParamGroups(vit, { weightDecay: 0.05 }))).toEqual([
      { name: 'decay', wd: 0.05, lrScale: 1, params: ['cls_token', 'mask_token', 'patch_embed.proj.weight', 'blocks.0.attn.qkv.weight', 'decoder_pred.weight'] },
      { name: 'no_decay', wd: 0, lrScale: 1, params: ['patch_embed.proj.bias', 'blocks.1.norm1.weight', 'norm.weight'] },
    ]);
    const skipped = buildParamGroups(vit, { weightDecay: 0.05, skipList: [...VIT_NO_WEIGHT_DECAY, 'mask_token'] });
    expect(summary(skipped).find((g) => g.name === 'no_decay')!.params).toEqual(['cls_token', 'mask_token', 'patch_embed.proj.bias', 'blocks.1.norm1.weight', 'norm.weight']);
  });

  it("'convnext' (MMEarth optim_factory) also exempts GRN .gamma/.beta", () => {
    const g = summary(buildParamGroups(convnext, { weightDecay: 0.3, noDecay: 'convnext' }));
    expect(g[1]!.params).toEqual(['initial_conv.0.bias', 'stages.0.0.grn.gamma', 'stages.1.0.grn.beta', 'head.bias']);
    const timm = summary(buildParamGroups(convnext, { weightDecay: 0.3 }));
    expect(timm[0]!.params).toContain('stages.0.0.grn.gamma');
  });

  it("'norm-bias' (NeighborMAE --filter_norm_bias) matches substrings", () => {
    const g = summary(buildParamGroups(vit, { weightDecay: 0.05, noDecay: 'norm-bias' }));
    expect(g).toEqual([
      { name: 'decay', wd: 0.05, lrScale: 1, params: ['cls_token', 'mask_token', 'patch_embed.proj.weight', 'blocks.0.attn.qkv.weight', 'decoder_pred.weight'] },
      { name: 'no_decay', wd: 0, lrScale: 1, params: ['patch_embed.proj.bias', 'blocks.1.norm1.weight', 'norm.weight'] },
    ]);
    expect(buildParamGroups(vit, { weightDecay: 0.05, noDecay: 'none' })).toHaveLength(1);
  });

  it('assigns ConvNeXt "single" layer ids and scales decay^(numLayers+1-id)', () => {
    const ld = convnextLayerDecay([2, 2, 6, 2], 0.9);
    expect(ld.numLayers).toBe(12);
    expect(ld.layerId('downsample_layers.0.1.weight')).toBe(1);
    expect(ld.layerId('downsample_layers.2.0.bias')).toBe(5);
    expect(ld.layerId('stages.0.0.dwconv.weight')).toBe(1);
    expect(ld.layerId('stages.2.3.pwconv1.weight')).toBe(8);
    expect(ld.layerId('stages.3.1.grn.gamma')).toBe(12);
    expect(ld.layerId('initial_conv.0.weight')).toBe(13);
    expect(ld.layerId('stem.1.bias')).toBe(13);
    expect(ld.layerId('head.weight')).toBe(13);
    expect(() => ld.layerId('stages.4.0.dwconv.weight')).toThrow(OptimizerError);

    const groups = buildParamGroups(convnext, { weightDecay: 0.3, noDecay: 'convnext', layerDecay: convnextLayerDecay([2, 2], 0.5) });
    const byName = new Map(groups.map((g) => [g.name, g]));
    expect([...byName.keys()]).toEqual(['layer_5_decay', 'layer_5_no_decay', 'layer_1_decay', 'layer_1_no_decay', 'layer_2_decay', 'layer_3_decay', 'layer_3_no_decay']);
    expect(byName.get('layer_5_decay')!.lrScale).toBe(1);
    expect(byName.get('layer_1_decay')!.lrScale).toBe(0.5 ** 4);
    expect(byName.get('layer_3_no_decay')!.lrScale).toBe(0.5 ** 2);
    expect([...byName.get('layer_1_decay')!.params.keys()]).toEqual(['downsample_layers.0.1.weight', 'stages.0.0.dwconv.weight']);
  });

  it('assigns MAE ViT layer ids (cls/pos/patch_embed 0, blocks.i i+1, rest depth+1)', () => {
    const ld = vitLayerDecay(2, 0.75);
    expect(['cls_token', 'pos_embed', 'patch_embed.proj.weight', 'blocks.0.mlp.fc1.bias', 'blocks.1.norm1.weight', 'norm.weight', 'head.weight'].map(ld.layerId)).toEqual([0, 0, 0, 1, 2, 3, 3]);
    const groups = buildParamGroups(vit, { weightDecay: 0.05, skipList: VIT_NO_WEIGHT_DECAY, layerDecay: ld });
    const scale = new Map(groups.map((g) => [g.name, g.lrScale]));
    expect(scale.get('layer_0_no_decay')).toBeCloseTo(0.75 ** 3, 15);
    expect(scale.get('layer_1_decay')).toBeCloseTo(0.75 ** 2, 15);
    expect(scale.get('layer_3_decay')).toBe(1);
  });

  it('leaves frozen parameters out and rejects duplicate names', () => {
    const groups = buildParamGroups(vit, { weightDecay: 0.05, frozen: (n) => n.startsWith('blocks') });
    expect(groups.flatMap((g) => [...g.params.keys()])).not.toContain('blocks.0.attn.qkv.weight');
    const w = vit.get('cls_token')!;
    expect(() => buildParamGroups([['a', w], ['a', w]], { weightDecay: 0.05 })).toThrow(/listed twice/);
    expect(() => buildParamGroups(vit, { weightDecay: -1 })).toThrow(OptimizerError);
  });
});
