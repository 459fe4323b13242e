import { Rng, type Box, type ModalitySpec, type Sample } from '@terramae/tensors';
import { DatasetFormatError } from '../errors';
import { imageFrameBox, randomResizedCrop, type ResizedCropOptions } from '../loader/augment';
import type { MultiViewSample, SampleSource, SourceContext } from '../loader/source';
import type { NeighborPair } from './tile-pairs';

/**
 * Neighbour pairs as two-view examples: view 0 is the anchor `a`, view 1 the neighbour `b`, each
 * with its footprint box in the pair's shared frame (the pair's `boxes`).
 */
export class NeighborPairSource implements SampleSource<MultiViewSample> {
  readonly views = 2;
  readonly specs: Readonly<Record<string, ModalitySpec>>;

  constructor(
    readonly source: SampleSource<Sample>,
    readonly pairs: readonly NeighborPair[],
  ) {
    if (source.views !== 1) throw new DatasetFormatError('NeighborPairSource: the underlying source must yield single-view samples.');
    for (const p of pairs) {
      if (p.a < 0 || p.b < 0 || p.a >= source.length || p.b >= source.length) {
        throw new DatasetFormatError(`NeighborPairSource: pair (${p.a}, ${p.b}) is outside the source's ${source.length} examples.`);
      }
    }
    this.specs = source.specs;
  }

  get length(): number {
    return this.pairs.length;
  }

  describe(position: number): string {
    const p = this.pairs[position];
    if (!p) return `pair ${position}`;
    const d = (i: number) => this.source.describe?.(i) ?? `example ${i}`;
    return `pair ${position} (${d(p.a)} + ${d(p.b)})`;
  }

  async get(position: number): Promise<MultiViewSample> {
    const p = this.pairs[position];
    if (!p) throw new RangeError(`position ${position} is out of range [0, ${this.pairs.length}).`);
    const [va, vb] = await Promise.all([this.source.get(p.a), this.source.get(p.b)]);
    return {
      index: position,
      id: `${va.id ?? p.a}+${vb.id ?? p.b}`,
      views: [{ ...va, box: p.boxes[0] }, { ...vb, box: p.boxes[1] }],
      meta: { relation: p.relation, iou: p.iou, offset: p.offset },
    };
  }
}

/**
 * Same-place groups (several dates of one site) as two-view examples, NeighborMAE style: every
 * member is an anchor once per epoch, and its neighbour is a member of its group drawn uniformly
 * at random (from the loader's per-example generator). As NeighborMAE's loader
 * (`random.sample` over the instance folder), the draw includes the anchor itself, so with
 * probability 1/|group| the pair is one image twice (two crops of it once a crop transform runs);
 * pass `allowSelf: false` to draw only other members. Both views share the footprint `box`
 * (co-registered revisits); without footprints they get the image frame `[0, 1, w/h, 0]`.
 */
export class SamePlacePairSource implements SampleSource<MultiViewSample> {
  readonly views = 2;
  readonly specs: Readonly<Record<string, ModalitySpec>>;
  private readonly anchors: { readonly member: number; readonly group: readonly number[] }[] = [];

  constructor(
    readonly source: SampleSource<Sample>,
    readonly groups: readonly (readonly number[])[],
    /**
     * `allowSelf` (default true, as NeighborMAE): the neighbour may be the anchor itself; false
     * draws another member and needs groups of at least two. `boxes`: footprints by source position.
     */
    private readonly options: { allowSelf?: boolean; boxes?: readonly Box[] } = {},
  ) {
    for (const g of groups) {
      if (g.length < 2 && options.allowSelf === false) {
        throw new DatasetFormatError(`SamePlacePairSource: group [${g.join(', ')}] has one member; with allowSelf: false every group needs two (drop it or allow self-pairs).`);
      }
      for (const m of g) this.anchors.push({ member: m, group: g });
    }
    this.specs = source.specs;
  }

  get length(): number {
    return this.anchors.length;
  }

  async get(position: number, context?: SourceContext): Promise<MultiViewSample> {
    const anchor = this.anchors[position];
    if (!anchor) throw new RangeError(`position ${position} is out of range [0, ${this.anchors.length}).`);
    const rng = context?.rng ?? new Rng(position);
    const others = this.options.allowSelf === false ? anchor.group.filter((m) => m !== anchor.member) : anchor.group;
    const neighbor = others[rng.int(others.length)] as number;
    const [va, vb] = await Promise.all([this.source.get(anchor.member), this.source.get(neighbor)]);
    const box = (v: Sample, i: number): Box => this.options.boxes?.[i] ?? v.box ?? frameOf(v);
    return {
      index: position,
      id: `${va.id ?? anchor.member}+${vb.id ?? neighbor}`,
      views: [{ ...va, box: box(va, anchor.member) }, { ...vb, box: box(vb, neighbor) }],
      meta: { anchor: anchor.member, neighbor },
    };
  }
}

/**
 * Two NeighborMAE random-resized crops of the same image as a two-view example ("neighbours by
 * spatial cropping"): boxes in the image frame `[0, 1, w/h, 0]` (normalised by the image height),
 * tracked through each crop, no flips.
 */
export class CropPairSource implements SampleSource<MultiViewSample> {
  readonly views = 2;
  readonly specs: Readonly<Record<string, ModalitySpec>>;

  constructor(
    readonly source: SampleSource<Sample>,
    private readonly options: ResizedCropOptions,
  ) {
    this.specs = source.specs;
  }

  get length(): number {
    return this.source.length;
  }

  describe(position: number): string {
    return this.source.describe?.(position) ?? `example ${position}`;
  }

  async get(position: number, context?: SourceContext): Promise<MultiViewSample> {
    const s = await this.source.get(position);
    const framed: Sample = { ...s, box: frameOf(s) };
    const rng = context?.rng ?? new Rng(position);
    const views = [randomResizedCrop(framed, rng, this.options), randomResizedCrop(framed, rng, this.options)];
    return { index: s.index, ...(s.id !== undefined ? { id: s.id } : {}), views, ...(s.meta ? { meta: s.meta } : {}) };
  }
}

function frameOf(s: Sample): Box {
  const pixel = Object.values(s.modalities).find((a) => a.shape.length === 3);
  if (!pixel) throw new DatasetFormatError(`sample ${s.index} has no pixel modality to frame.`);
  return imageFrameBox(pixel.shape[0] as number, pixel.shape[1] as number);
}
