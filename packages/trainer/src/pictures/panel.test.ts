import { describe, expect, it } from 'vitest';
import { MASK_GREY, renderPanel } from './panel';
import { pixelAt } from './rgb-image';

describe('renderPanel', () => {
  it('rgb: a joint stretch keeps the colour balance, the default stretches each channel', () => {
    // 2×2 pixels, 3 channels: the red pixel is the brightest value overall
    const data = [100, 0, 0, 0, 50, 0, 0, 0, 50, 0, 0, 0];
    const joint = renderPanel({ kind: 'rgb', image: { data, shape: [2, 2, 3] }, stretch: { low: 0, high: 100 }, jointStretch: true });
    expect(pixelAt(joint, 0, 0)).toEqual([255, 0, 0]);
    expect(pixelAt(joint, 1, 0)).toEqual([0, 128, 0]); // 50 of a joint 0..100 range
    expect(pixelAt(joint, 1, 1)).toEqual([0, 0, 0]);
    const each = renderPanel({ kind: 'rgb', image: { data, shape: [2, 2, 3] }, stretch: { low: 0, high: 100 } });
    expect(pixelAt(each, 1, 0)).toEqual([0, 255, 0]); // green's own range is 0..50
    expect(pixelAt(each, 0, 1)).toEqual([0, 0, 255]);
  });

  it('rgb: picks bands and greys masked patches (stretch over the visible pixels only)', () => {
    // 4×4 image, 4 channels, mask 2×2 with the top-left cell hidden
    const data = Array.from({ length: 4 * 4 * 4 }, (_, i) => (i % 4 === 3 ? Math.floor(i / 4) : 0));
    const img = renderPanel({ kind: 'rgb', image: { data, shape: [4, 4, 4] }, channels: [3, 3, 3], mask: { data: [1, 0, 0, 0], shape: [2, 2] }, stretch: { low: 0, high: 100 } });
    expect(pixelAt(img, 0, 0)).toEqual(MASK_GREY);
    expect(pixelAt(img, 1, 1)).toEqual(MASK_GREY);
    // visible values are 2,3,6,7,8..15: the stretch spans 2..15 → pixel 15 white, pixel 2 black
    expect(pixelAt(img, 3, 3)).toEqual([255, 255, 255]);
    expect(pixelAt(img, 2, 0)).toEqual([0, 0, 0]);
  });

  it('continuous: grey for one channel, per-channel false colour for three', () => {
    const grey = renderPanel({ kind: 'continuous', image: { data: [0, 1, 2, 3], shape: [2, 2] }, stretch: { low: 0, high: 100 } });
    expect(pixelAt(grey, 1, 1)).toEqual([255, 255, 255]);
    expect(pixelAt(grey, 1, 0)).toEqual([85, 85, 85]);
    const fc = renderPanel({ kind: 'continuous', image: { data: [0, 0, 10, 1, 1000, 20], shape: [1, 2, 3] }, stretch: { low: 0, high: 100 } });
    expect(pixelAt(fc, 0, 0)).toEqual([0, 0, 0]);
    expect(pixelAt(fc, 1, 0)).toEqual([255, 255, 255]);
  });

  it('categorical: palette colours, ignore label black', () => {
    const img = renderPanel({ kind: 'categorical', image: { data: [0, 1, -1, 2], shape: [2, 2] } });
    expect(pixelAt(img, 0, 0)).toEqual([31, 119, 180]);
    expect(pixelAt(img, 1, 0)).toEqual([255, 127, 14]);
    expect(pixelAt(img, 0, 1)).toEqual([0, 0, 0]);
  });

  it('explains shapes, channels and masks that do not fit', () => {
    expect(() => renderPanel({ kind: 'rgb', image: { data: [1, 2], shape: [1, 2] } })).toThrow(/an rgb panel needs 3 channels, got 1/);
    expect(() => renderPanel({ kind: 'continuous', image: { data: [1, 2], shape: [1, 2] }, channels: [1] })).toThrow(/channel 1 does not exist in an image of 1 channels/);
    expect(() => renderPanel({ kind: 'rgb', title: 'x', image: { data: [1, 2, 3], shape: [1, 1, 3] }, channels: [0, 1] })).toThrow(/'x': an rgb panel needs 3 channels/);
    expect(() => renderPanel({ kind: 'continuous', image: { data: [1, 2, 3], shape: [2, 2] } })).toThrow(/3 values for shape \[2, 2\]/);
    expect(() => renderPanel({ kind: 'continuous', image: { data: [1, 2, 3, 4], shape: [2, 2] }, mask: { data: [1, 0, 0], shape: [3, 1] } })).toThrow(/does not fit a 2×2 image/);
  });
});
