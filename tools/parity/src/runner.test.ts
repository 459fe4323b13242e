import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as tensors from '@terramae/tensors';
import { loadSafetensorsRaw, saveSafetensors } from '@terramae/tensors';
import { sharedPath, testBackends, useBackend } from '@terramae/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest, type ParityCase } from './manifest';
import { notComputed, registerParityKind, registeredParityKinds, unregisterParityKind } from './registry';
import { runParity } from './runner';
import { formatReport } from './table';

const backends = testBackends();
const tmp = mkdtempSync(join(tmpdir(), 'terramae-parity-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await useBackend(backends[0]!);
});

function writeManifest(dir: string, cases: ParityCase[]): void {
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ cases }, null, 1));
}

/** A synthetic case: y = scale·x, ids = argsort(x), positive = x > 0, and a NaN-bearing gradient. */
function writeSynthetic(dir: string, tamper: 'none' | 'ids' | 'y' = 'none'): ParityCase {
  const x = Float32Array.from([0.5, -1, 2, 0.25]);
  const y = x.map((v) => v * 3);
  if (tamper === 'y') y[2] = y[2]! * (1 + 1e-3);
  const ids = BigInt64Array.from([1n, 3n, 0n, 2n]);
  if (tamper === 'ids') ids[0] = 0n;
  saveSafetensors(join(dir, 'synthetic.safetensors'), {
    'input/x': { data: x, shape: [4] },
    'output/y': { data: y, shape: [2, 2] },
    'output/ids': { data: ids, shape: [4] },
    'output/positive': { data: Uint8Array.from([1, 0, 1, 1]), shape: [4], dtype: 'BOOL' },
    'output/zero': { data: Float32Array.from([0]), shape: [] },
    'output/mask': { data: Float32Array.from([1, 0, 1, 1]), shape: [4] },
    'grad/input/x': { data: Float32Array.from([3, Number.NaN, 3, 3]), shape: [4] },
  });
  return {
    name: 'synthetic',
    kind: 'test_scale',
    file: 'synthetic.safetensors',
    constructor: { scale: 3 },
    notes: ["grad/input/<x> is NaN where the reference divides by zero; treat those entries as don't-care"],
    tolerance: { forward: { rel_l2: 1e-6, max_abs_rel: 1e-6 }, grads: { rel_l2: 1e-5, max_abs_rel: 1e-5 }, mask_and_ids: 'exact' },
  } as ParityCase;
}

registerParityKind('test_scale', (ctx) => {
  const scale = ctx.settings['scale'] as number;
  const x = ctx.fixture.tensor('input/x');
  const out = {
    'output/y': tf.tidy(() => x.mul(scale).reshape(ctx.fixture.shape('output/y'))),
    'output/ids': tf.tidy(() => tf.topk(x.neg(), x.size).indices),
    'output/positive': tf.tidy(() => x.greater(0)),
    'output/zero': 0,
    'output/mask': tf.tidy(() => x.greater(0).toFloat()),
    'grad/input/x': [scale, 0, scale, scale],
  };
  x.dispose();
  return out;
});
registerParityKind('test_partial', () => ({ 'output/y': notComputed('the op is not written yet') }));
registerParityKind('test_throws', () => {
  throw new Error('boom');
});
afterAll(() => {
  for (const k of ['test_scale', 'test_partial', 'test_throws']) unregisterParityKind(k);
});

describe('runParity on synthetic fixtures', () => {
  it('passes a correct handler on every backend (exact ints/bools, exact zero, NaN don\'t-care) without leaking', async () => {
    const dir = mkdtempSync(join(tmp, 'ok-'));
    writeManifest(dir, [writeSynthetic(dir)]);
    const before = tf.memory().numTensors;
    const report = await runParity({ dir, backends });
    expect(tf.memory().numTensors).toBe(before);
    expect(report.ok).toBe(true);
    expect(report.results.map((r) => r.backend)).toEqual(backends);
    const rows = report.results[0]!.comparisons;
    expect(rows.map((c) => c.tensor).sort()).toEqual(['grad/input/x', 'output/ids', 'output/mask', 'output/positive', 'output/y', 'output/zero']);
    expect(rows.find((c) => c.tensor === 'output/ids')!.mode).toBe('exact');
    expect(rows.find((c) => c.tensor === 'output/mask')!.mode).toBe('exact'); // F32, declared exact
    expect(rows.find((c) => c.tensor === 'output/y')!.mode).toBe('tolerance');
    expect(rows.find((c) => c.tensor === 'grad/input/x')!.dontCare).toBe(1);
    expect(report.results[0]!.leakedTensors).toBe(0);
    expect(formatReport(report).at(-1)).toMatch(/^OK: /);
  });

  it.each(['ids', 'y'] as const)('fails a tampered %s', async (tamper) => {
    const dir = mkdtempSync(join(tmp, `bad-${tamper}-`));
    writeManifest(dir, [writeSynthetic(dir, tamper)]);
    const report = await runParity({ dir, backends: ['cpu'] });
    expect(report.ok).toBe(false);
    const failing = report.results[0]!.comparisons.filter((c) => !c.pass).map((c) => c.tensor);
    expect(failing).toEqual([`output/${tamper}`]);
  });

  it('fails tensors a handler did not compute, handler errors and kinds without a handler (unless allowed)', async () => {
    const dir = mkdtempSync(join(tmp, 'partial-'));
    const c = writeSynthetic(dir);
    writeManifest(dir, [
      { ...c, name: 'partial', kind: 'test_partial' },
      { ...c, name: 'throws', kind: 'test_throws' },
      { ...c, name: 'future', kind: 'not_written_yet' },
    ]);
    const report = await runParity({ dir, backends: ['cpu'] });
    const [partial, throws, future] = report.results;
    expect(partial!.status).toBe('fail');
    expect(partial!.comparisons.filter((r) => r.reason === 'not computed')).toHaveLength(5);
    expect(partial!.comparisons.find((r) => r.tensor === 'output/y')!.reason).toBe('not computed: the op is not written yet');
    expect(throws).toMatchObject({ status: 'error', error: 'Error: boom' });
    expect(future!.status).toBe('no-handler');
    expect(report.pendingKinds).toEqual(['not_written_yet']);
    expect(report.failures).toBe(3);
    const allowed = await runParity({ dir, backends: ['cpu'], kinds: ['not_written_yet'], allowMissing: true });
    expect(allowed.ok).toBe(true);
    expect(formatReport(allowed).join('\n')).toMatch(/pending kinds \(no handler registered\): not_written_yet/);
    await expect(runParity({ dir, cases: ['nope'] })).rejects.toThrow(/no case named "nope".*cases: partial, throws, future/);
  });
});

const fixtures = sharedPath('fixtures', 'parity');

describe.skipIf(!fixtures)('runParity on the shared PyTorch fixtures', () => {
  const has1d = typeof (tensors as unknown as Record<string, unknown>)['posEmbed1dSinCos'] === 'function';

  it('passes every case whose kind has a handler, on every backend', async () => {
    const manifest = loadManifest(fixtures!);
    const kinds = [...new Set(manifest.cases.map((c) => c.kind))].filter((k) => registeredParityKinds().includes(k));
    expect(kinds).toEqual(expect.arrayContaining(['optimizer_adamw', 'lr_schedules', 'mae_pos_embed']));
    const report = await runParity({ dir: fixtures!, backends, kinds });
    const failing = report.results.flatMap((r) => r.comparisons.filter((c) => !c.pass).map((c) => `${r.case}/${r.backend}: ${c.tensor} ${c.reason}`));
    if (!has1d) {
      // pending: @terramae/tensors does not export posEmbed1dSinCos yet; only that tensor may fail
      expect(failing.every((f) => /output\/pos_1d_d\d+ not computed/.test(f))).toBe(true);
      console.warn(`[pending] ${failing.length} comparison(s) need posEmbed1dSinCos in @terramae/tensors`);
    } else {
      expect(failing).toEqual([]);
      expect(report.ok).toBe(true);
    }
    expect(report.results.filter((r) => r.case === 'optimizer_adamw').every((r) => r.status === 'pass')).toBe(true);
  });

  it('fails a tampered copy of a fixture', async () => {
    const dir = mkdtempSync(join(tmp, 'tampered-'));
    const manifest = loadManifest(fixtures!);
    const adamw = manifest.cases.find((c) => c.kind === 'optimizer_adamw')!;
    const { tensors: raw, metadata } = loadSafetensorsRaw(join(fixtures!, adamw.file));
    const victim = 'output/const/step2/p0';
    const view = new Float32Array(raw[victim]!.bytes.buffer, raw[victim]!.bytes.byteOffset, raw[victim]!.bytes.length / 4);
    view[0] = view[0]! + 1e-3 * Math.max(...Array.from(view, Math.abs));
    saveSafetensors(join(dir, adamw.file), raw, metadata);
    const { sha256: _sha, ...rest } = adamw;
    writeManifest(dir, [rest as ParityCase]);
    const report = await runParity({ dir, backends: ['cpu'] });
    expect(report.ok).toBe(false);
    const bad = report.results[0]!.comparisons.filter((c) => !c.pass);
    expect(bad.map((c) => c.tensor)).toEqual([victim]);
    expect(bad[0]!.maxAbsRel).toBeGreaterThan(1e-4);

    // the untouched file with a wrong checksum still compares, with a warning
    copyFileSync(join(fixtures!, adamw.file), join(dir, adamw.file));
    writeManifest(dir, [{ ...adamw, sha256: '0'.repeat(64) }]);
    const warned = await runParity({ dir, backends: ['cpu'] });
    expect(warned.ok).toBe(true);
    expect(warned.results[0]!.warnings.join()).toMatch(/sha256 .* differs/);
  });
});
