import { describe, expect, it } from 'vitest';
import { convnextv2ParameterCount, dropPathRates, resolveConvNeXtV2Config, resolvePadding, stageSizes } from './config';
import { ConvNeXtV2ConfigError } from './errors';
import { CONVNEXTV2_SIZES } from './sizes';

const atto = CONVNEXTV2_SIZES.atto;

describe('resolveConvNeXtV2Config', () => {
  it('fills MMEarth defaults', () => {
    const c = resolveConvNeXtV2Config(atto);
    expect(c).toMatchObject({
      inChannels: 12,
      patchSize: 8,
      stemStride: 1,
      stem: 'mmearth',
      padding: { initialConv: 1, stem: 0 },
      numClasses: 0,
      finalNorm: false,
      grnEps: 1e-4,
      maskedGrnEps: 1e-6,
      maskedGrnStatistics: 'batch',
      dropZeroPixels: true,
    });
    expect(resolveConvNeXtV2Config({ ...atto, numClasses: 10 }).finalNorm).toBe(true);
  });

  it('rejects bad options with a message naming them', () => {
    expect(() => resolveConvNeXtV2Config({ ...atto, patchSize: 12 })).toThrow(/patchSize must be a multiple of 8/);
    expect(() => resolveConvNeXtV2Config({ depths: [2, 2, 6], dims: atto.dims })).toThrow(ConvNeXtV2ConfigError);
    expect(() => resolveConvNeXtV2Config({ ...atto, inChannels: 0 })).toThrow(/inChannels/);
    expect(() => resolveConvNeXtV2Config({ ...atto, dropPathRate: 1 })).toThrow(/dropPathRate/);
    expect(() => resolveConvNeXtV2Config({ ...atto, maskedGrnStatistics: 'global' as never })).toThrow(/maskedGrnStatistics/);
    expect(() => resolveConvNeXtV2Config({ ...atto, padding: 'valid' as never })).toThrow(/unknown padding/);
  });
});

describe('padding presets and grids', () => {
  it('resolves the three MMEarth variants', () => {
    expect(resolvePadding('same', 'mmearth', 2)).toEqual({ initialConv: 1, stem: 0 });
    expect(resolvePadding('unet', 'mmearth', 2)).toEqual({ initialConv: 1, stem: 0 });
    expect(resolvePadding('finetune', 'mmearth', 2)).toEqual({ initialConv: 0, stem: 1 });
    expect(resolvePadding('finetune', 'mmearth', 1)).toEqual({ initialConv: 0, stem: 0 });
    expect(resolvePadding('finetune', 'original', 4)).toEqual({ initialConv: 0, stem: 0 });
  });

  it('reproduces the spatial sizes of the reference (spec §2.3)', () => {
    const p8 = resolveConvNeXtV2Config({ ...atto, patchSize: 8 });
    const p16 = resolveConvNeXtV2Config({ ...atto, patchSize: 16 });
    expect(stageSizes(p8, 56)).toEqual([56, 56, 28, 14, 7]);
    expect(stageSizes(p16, 112)).toEqual([56, 56, 28, 14, 7]);
    expect(stageSizes(p8, 56, resolvePadding('finetune', 'mmearth', 1))).toEqual([54, 54, 27, 13, 6]);
    expect(stageSizes(p16, 112, resolvePadding('finetune', 'mmearth', 2))).toEqual([56, 56, 28, 14, 7]);
    const orig = resolveConvNeXtV2Config({ ...atto, stem: 'original', patchSize: 32 });
    expect(stageSizes(orig, 224)).toEqual([56, 56, 28, 14, 7]);
  });
});

describe('dropPathRates', () => {
  it('is linspace(0, rate, Σdepths) split by stage', () => {
    const r = dropPathRates([1, 2, 1, 1], 0.4);
    expect(r).toEqual([[0], [0.1, 0.2], [0.30000000000000004], [0.4]]);
    expect(dropPathRates([2, 2, 6, 2], 0).flat().every((v) => v === 0)).toBe(true);
  });
});

describe('convnextv2ParameterCount', () => {
  // Encoder without norm/head at 12 bands, patch 8 (spec §2.1 table, rounded there to 0.01 M).
  const expected: Record<string, number> = {
    atto: 3_389_320,
    femto: 4_850_544,
    pico: 8_556_352,
    nano: 14_986_640,
    tiny: 27_871_104,
    base: 87_698_944,
    large: 196_429_056,
    huge: 657_489_536,
  };
  const spec: Record<string, number> = { atto: 3.39, femto: 4.85, pico: 8.56, nano: 14.99, tiny: 27.87, base: 87.7 };

  for (const [size, count] of Object.entries(expected)) {
    it(`${size}: ${count}`, () => {
      const n = convnextv2ParameterCount({ ...CONVNEXTV2_SIZES[size as keyof typeof CONVNEXTV2_SIZES] });
      expect(n).toBe(count);
      if (spec[size] !== undefined) expect(Math.round(n / 1e4) / 100).toBe(spec[size]);
    });
  }

  it('matches the reference classifiers of manifest.json presets_state_dict_shapes', () => {
    // convnextv2_atto(in_chans=12, num_classes=10, img_size=56, patch_size=8) and the 112/16 and tiny variants.
    expect(convnextv2ParameterCount({ ...atto, numClasses: 10 })).toBe(3_393_170);
    expect(convnextv2ParameterCount({ ...atto, numClasses: 10, patchSize: 16 })).toBe(3_393_290);
    expect(convnextv2ParameterCount({ ...CONVNEXTV2_SIZES.tiny, numClasses: 10 })).toBe(27_880_330);
  });
});
