import * as tf from '@tensorflow/tfjs';
import type { Batch, Box, ModalitySpec, Sample } from '@terramae/tensors';
import { BadSampleError, DatasetFormatError } from '../errors';
import { isMultiView, type AnySample } from './source';

/**
 * Check that an example carries every modality of `specs` with a plausible shape; a
 * `BadSampleError` (`missing-modality` / `bad-shape`) otherwise, so a loader's policy can skip it.
 * @param location - where the example comes from (a source's `describe`), for the message
 */
export function checkExample(example: AnySample, specs: Readonly<Record<string, ModalitySpec>>, location?: string): void {
  const views = isMultiView(example) ? example.views : [example];
  for (const view of views) {
    for (const [name, spec] of Object.entries(specs)) {
      const arr = view.modalities[name];
      if (!arr) {
        throw new BadSampleError({
          index: example.index, ...(location ? { location } : {}), reason: 'missing-modality',
          detail: `modality "${name}" is missing (present: ${Object.keys(view.modalities).join(', ') || 'none'}).`,
        });
      }
      const rank = spec.level === 'pixel' ? 3 : 1;
      const n = arr.shape.reduce((a, b) => a * b, 1);
      if (arr.shape.length !== rank || n !== arr.data.length) {
        throw new BadSampleError({
          index: example.index, ...(location ? { location } : {}), reason: 'bad-shape',
          detail: `modality "${name}" has shape [${arr.shape.join(', ')}] and ${arr.data.length} values; expected ${spec.level === 'pixel' ? '[H, W, C]' : '[C]'}.`,
        });
      }
    }
  }
}

/**
 * Collate examples into the {@link Batch} contract (see `@terramae/tensors` `batch.ts`):
 *
 * - continuous pixel modalities `[B*V, H, W, C]` float32; categorical maps `[B*V, H, W]` int32;
 * - continuous image modalities `[B*V, C]` float32; categorical ones `[B*V]` int32 class indices;
 * - multi-view examples view-major (sample 0 view 0, sample 0 view 1, sample 1 view 0, …);
 * - `boxes` `[B, V, 4]` when every view has a footprint box (required for multi-view), and the
 *   same float32 values as `boxValues` `[B][V]` on the host (what masking strategies read, e.g.
 *   NeighborMAE's IoU-adaptive ratio, without a tensor readback);
 * - `labels` `[B]` int32 when every example has a numeric `meta.label` (or its first view has).
 *
 * The caller owns the tensors: release them with `disposeBatch`.
 */
export function collate(examples: readonly AnySample[], specs: Readonly<Record<string, ModalitySpec>>): Batch {
  if (examples.length === 0) throw new DatasetFormatError('collate: no examples.');
  const first = examples[0] as AnySample;
  const V = isMultiView(first) ? first.views.length : 1;
  const views: Sample[] = [];
  for (const ex of examples) {
    const vs = isMultiView(ex) ? ex.views : [ex];
    if (vs.length !== V) {
      throw new DatasetFormatError(`collate: example ${ex.index} has ${vs.length} views, example ${first.index} has ${V}; a batch needs one view count.`);
    }
    views.push(...vs);
  }
  const n = views.length;
  const modalities: Record<string, tf.Tensor> = {};
  const created: tf.Tensor[] = [];
  try {
    for (const [name, spec] of Object.entries(specs)) {
      const shape0 = (views[0] as Sample).modalities[name]?.shape;
      if (!shape0) throw new DatasetFormatError(`collate: example ${first.index} lacks modality "${name}".`);
      const per = shape0.reduce((a, b) => a * b, 1);
      const categorical = spec.kind === 'categorical';
      const data = categorical ? new Int32Array(n * per) : new Float32Array(n * per);
      views.forEach((v, i) => {
        const arr = v.modalities[name];
        if (!arr) throw new DatasetFormatError(`collate: a view of the batch lacks modality "${name}".`);
        if (arr.shape.length !== shape0.length || arr.shape.some((d, k) => d !== shape0[k])) {
          const ex = examples[Math.floor(i / V)] as AnySample;
          throw new DatasetFormatError(
            `collate: modality "${name}" of example ${ex.index} has shape [${arr.shape.join(', ')}], the batch has [${shape0.join(', ')}]. ` +
              'Crop or resize to one size (e.g. alignedCropTransform) before batching.',
          );
        }
        data.set(arr.data, i * per);
      });
      let shape: number[];
      if (spec.level === 'pixel') shape = categorical ? [n, shape0[0] as number, shape0[1] as number] : [n, ...shape0];
      else shape = categorical ? [n] : [n, shape0[0] as number];
      if (categorical && per !== shape.slice(1).reduce((a, b) => a * b, 1)) {
        throw new DatasetFormatError(`collate: categorical modality "${name}" must have one channel, got shape [${shape0.join(', ')}].`);
      }
      const t = tf.tensor(data, shape, categorical ? 'int32' : 'float32');
      created.push(t);
      modalities[name] = t;
    }
    let boxes: tf.Tensor3D | undefined;
    let boxValues: Box[][] | undefined;
    if (views.every((v) => v.box)) {
      const flat = new Float32Array(n * 4);
      views.forEach((v, i) => flat.set(v.box as readonly number[], i * 4));
      boxes = tf.tensor3d(flat, [examples.length, V, 4]);
      created.push(boxes);
      // The same (float32) values on the host: masking strategies read them without a readback.
      boxValues = Array.from({ length: examples.length }, (_, s) =>
        Array.from({ length: V }, (_, v) => Array.from(flat.subarray((s * V + v) * 4, (s * V + v + 1) * 4)) as unknown as Box),
      );
    } else if (V > 1) {
      throw new DatasetFormatError('collate: multi-view examples need a footprint box on every view (for IoU, positional embeddings and warps).');
    }
    let labels: tf.Tensor1D | undefined;
    const labelOf = (ex: AnySample): unknown => ex.meta?.label ?? (isMultiView(ex) ? ex.views[0]?.meta?.label : undefined);
    if (examples.every((ex) => typeof labelOf(ex) === 'number')) {
      labels = tf.tensor1d(Int32Array.from(examples, (ex) => labelOf(ex) as number), 'int32');
      created.push(labels);
    }
    const present: Record<string, ModalitySpec> = {};
    for (const name of Object.keys(modalities)) present[name] = specs[name] as ModalitySpec;
    return {
      size: examples.length,
      views: V,
      modalities,
      specs: present,
      ...(boxes ? { boxes } : {}),
      ...(boxValues ? { boxValues } : {}),
      ...(labels ? { labels } : {}),
      indices: examples.map((e) => e.index),
    };
  } catch (e) {
    for (const t of created) t.dispose();
    throw e;
  }
}
