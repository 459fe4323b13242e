import { describe, expect, it } from 'vitest';
import { drawText, fitText, textWidth } from './bitmap-font';
import { createRgbImage, pixelAt } from './rgb-image';

describe('bitmap font', () => {
  it('draws the glyph bits at the expected pixels', () => {
    const img = createRgbImage(12, 7);
    const w = drawText(img, 'T1', 0, 0, [255, 255, 255]);
    expect(w).toBe(11);
    // T: top row full, stem in column 2
    for (let x = 0; x < 5; x++) expect(pixelAt(img, x, 0)).toEqual([255, 255, 255]);
    expect(pixelAt(img, 2, 6)).toEqual([255, 255, 255]);
    expect(pixelAt(img, 0, 6)).toEqual([0, 0, 0]);
    // 1 starts at x = 6: its stem is column 2 → x = 8, bottom row 0x0e → x 7..9
    expect(pixelAt(img, 8, 3)).toEqual([255, 255, 255]);
    expect(pixelAt(img, 7, 6)).toEqual([255, 255, 255]);
    expect(pixelAt(img, 6, 6)).toEqual([0, 0, 0]);
  });
  it('scales, clips and measures', () => {
    const img = createRgbImage(4, 4);
    drawText(img, 'a', 0, 0, [9, 9, 9], 2); // lower case draws as upper; clipped at the border
    expect(pixelAt(img, 2, 0)).toEqual([9, 9, 9]); // A row 0 = 0x0e → columns 1..3 → pixels 2..7
    expect(textWidth('abc', 2)).toBe(34);
    expect(fitText('prediction', 30)).toBe('predi');
  });
});
