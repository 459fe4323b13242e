import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GeoTiffFolderDataset, H5MMEarthStore, readGeoTiffInfo, readMMEarthSideFiles, readNpy, resolveMMEarthPaths } from '@terramae/datasets';
import { parseRecipe } from '@terramae/recipes';
import { PthFile, SafetensorsFile } from '@terramae/tensors';
import { CHECKPOINT_FILES, type CheckpointMeta } from '@terramae/trainer';
import { UsageError } from '../errors';
import { detectPathKind } from '../data/detect';
import { formatBytes, formatCount, formatNumber } from '../util/format';

/** A structured summary of a file or folder, plus its text rendering. */
export interface Inspection {
  /** What the path is: `checkpoint`, `safetensors`, `pth`, `mmearth`, `geotiff-folder`, `geotiff`, `npy`, `recipe`. */
  readonly kind: string;
  readonly path: string;
  /** Everything found, as plain JSON. */
  readonly details: Record<string, unknown>;
  /** Human-readable lines. */
  readonly lines: readonly string[];
}

interface TensorEntry {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
}

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function tensorLines(entries: readonly TensorEntry[], limit: number): string[] {
  const lines = entries.slice(0, limit).map((e) => `  ${e.name}  ${e.dtype}  [${e.shape.join(', ')}]`);
  if (entries.length > limit) lines.push(`  … ${entries.length - limit} more (use --limit to see more, --json for all)`);
  return lines;
}

/** Parameter count per top-level name (`backbone`, `heads`, …). */
function groups(entries: readonly TensorEntry[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of entries) {
    const top = e.name.split('.')[0] as string;
    out[top] = (out[top] ?? 0) + numel(e.shape);
  }
  return out;
}

function safetensorsEntries(path: string): { entries: TensorEntry[]; metadata: Record<string, string> } {
  const file = SafetensorsFile.open(path);
  try {
    return { entries: file.keys().map((name) => ({ name, dtype: file.info(name).dtype, shape: file.info(name).shape })), metadata: { ...file.metadata } };
  } finally {
    file.close();
  }
}

function inspectCheckpoint(path: string, limit: number): Inspection {
  const meta = JSON.parse(readFileSync(join(path, CHECKPOINT_FILES.meta), 'utf8')) as CheckpointMeta;
  const { entries } = safetensorsEntries(join(path, CHECKPOINT_FILES.weights));
  const parameters = entries.reduce((a, e) => a + numel(e.shape), 0);
  const recipe = meta.recipe as { name?: string; backbone?: { name?: string }; tasks?: { id?: string; task?: string }[] } | undefined;
  const byGroup = groups(entries);
  const lines = [
    `terramae checkpoint ${path}`,
    `  step ${meta.step}, written ${meta.createdAt}, format ${meta.format}`,
    `  recipe: ${recipe?.name ?? '(none)'}${recipe?.backbone?.name ? ` (backbone ${recipe.backbone.name}, ${recipe.tasks?.length ?? 0} tasks: ${(recipe.tasks ?? []).map((t) => t.id ?? t.task).join(', ')})` : ''}`,
    `  ${formatCount(entries.length)} tensors, ${formatCount(parameters)} parameters: ${Object.entries(byGroup).map(([g, n]) => `${g} ${formatCount(n)}`).join(', ')}`,
  ];
  if (meta.lastLosses && Object.keys(meta.lastLosses).length) {
    lines.push(`  last losses: ${Object.entries(meta.lastLosses).map(([k, v]) => `${k} ${formatNumber(v)}`).join(', ')}`);
  }
  lines.push(...tensorLines(entries, limit));
  return {
    kind: 'checkpoint',
    path,
    details: { step: meta.step, createdAt: meta.createdAt, recipe: meta.recipe, lastLosses: meta.lastLosses ?? {}, tensors: entries.length, parameters, groups: byGroup, tensorList: entries },
    lines,
  };
}

function inspectSafetensors(path: string, limit: number): Inspection {
  const { entries, metadata } = safetensorsEntries(path);
  const parameters = entries.reduce((a, e) => a + numel(e.shape), 0);
  const lines = [
    `safetensors ${path} (${formatBytes(statSync(path).size)})`,
    `  ${formatCount(entries.length)} tensors, ${formatCount(parameters)} values; dtypes ${[...new Set(entries.map((e) => e.dtype))].join(', ')}`,
    ...(Object.keys(metadata).length ? [`  metadata: ${Object.entries(metadata).map(([k, v]) => `${k}=${v}`).join(', ')}`] : []),
    ...tensorLines(entries, limit),
  ];
  return { kind: 'safetensors', path, details: { tensors: entries.length, parameters, metadata, tensorList: entries }, lines };
}

function inspectPth(path: string, limit: number): Inspection {
  const file = PthFile.open(path);
  try {
    const { keyPath, refs } = file.stateDictRefs({ nonTensors: 'skip' });
    const entries = [...refs].map(([name, ref]) => ({ name, dtype: ref.dtype, shape: ref.shape }));
    const parameters = entries.reduce((a, e) => a + numel(e.shape), 0);
    const lines = [
      `PyTorch checkpoint ${path} (${formatBytes(statSync(path).size)})`,
      `  state dict at ${keyPath.length ? `'${keyPath.join('/')}'` : 'the root'}: ${formatCount(entries.length)} tensors, ${formatCount(parameters)} values`,
      ...(entries.some((e) => e.name.startsWith('encoder.') && e.name.endsWith('.kernel'))
        ? ['  looks like an MMEarth sparse FCMAE checkpoint: convert with `terramae convert <in> <out> --mmearth-sparse`']
        : []),
      ...tensorLines(entries, limit),
    ];
    return { kind: 'pth', path, details: { stateDictKey: keyPath, tensors: entries.length, parameters, tensorList: entries }, lines };
  } finally {
    file.close();
  }
}

async function inspectMMEarth(path: string, limit: number): Promise<Inspection> {
  const paths = resolveMMEarthPaths(path);
  const side = readMMEarthSideFiles(paths);
  const store = await H5MMEarthStore.open(paths.h5);
  try {
    const modalities = store.modalities().map((name) => ({ name, shape: store.shape(name), dtype: store.dtype(name) }));
    const ids = Array.from({ length: Math.min(limit, store.length) }, (_, i) => store.meta(i).tileId);
    const splits = Object.fromEntries(Object.entries(side.splits).map(([k, v]) => [k, v.length]));
    const first = ids[0] !== undefined ? side.tileInfo.get(ids[0]) : undefined;
    const synthetic = first?.SYNTHETIC === true;
    const lines = [
      `MMEarth-layout dataset ${paths.h5}${synthetic ? ' (SYNTHETIC)' : ''} (${formatBytes(statSync(paths.h5).size)})`,
      `  ${formatCount(store.length)} samples, tile size ${store.tileSize}; splits: ${Object.entries(splits).map(([k, n]) => `${k} ${n}`).join(', ')}`,
      `  modalities (per-sample shape, stored dtype):`,
      ...modalities.map((m) => `    ${m.name.padEnd(22)} [${m.shape.join(', ')}]  ${m.dtype}`),
      `  band statistics: ${Object.keys(side.bandStats).join(', ')}`,
      `  tile ids: ${ids.join(', ')}${store.length > ids.length ? `, … (${store.length - ids.length} more)` : ''}`,
    ];
    if (first) lines.push(`  tile info of ${ids[0]}: ${Object.keys(first).join(', ')}`);
    return {
      kind: 'mmearth',
      path: paths.h5,
      details: { samples: store.length, tileSize: store.tileSize, splits, modalities, bandStats: Object.keys(side.bandStats), tileIds: ids, synthetic },
      lines,
    };
  } finally {
    store.close();
  }
}

async function inspectGeoTiffFolder(path: string, limit: number): Promise<Inspection> {
  const splitDirs = readdirSync(path).filter((n) => ['train', 'val', 'test'].includes(n) && statSync(join(path, n)).isDirectory());
  const roots = splitDirs.length ? splitDirs.map((s) => join(path, s)) : [path];
  const parts: Record<string, unknown>[] = [];
  const lines = [`GeoTIFF class folder ${path}`];
  for (const root of roots) {
    const ds = await GeoTiffFolderDataset.open(root, { stats: 'none' });
    const counts: Record<string, number> = {};
    for (const f of ds.files) counts[f.className] = (counts[f.className] ?? 0) + 1;
    const info = ds.files[0] ? await readGeoTiffInfo(ds.files[0].path) : undefined;
    parts.push({ root, files: ds.length, classes: counts, first: info ? { width: info.width, height: info.height, bands: info.bands, dtype: info.dtype, crs: info.georef?.crs } : undefined });
    lines.push(
      `  ${root}: ${ds.length} files, ${ds.classes.length} classes (${Object.entries(counts).map(([c, n]) => `${c} ${n}`).join(', ')})`,
      ...(info ? [`    ${info.width}×${info.height} px, ${info.bands} bands, ${info.dtype}${info.georef?.crs ? `, ${info.georef.crs}` : ''}`] : []),
      ...ds.files.slice(0, Math.min(limit, 3)).map((f) => `    ${f.path}`),
    );
  }
  return { kind: 'geotiff-folder', path, details: { parts }, lines };
}

async function inspectGeoTiff(path: string): Promise<Inspection> {
  const info = await readGeoTiffInfo(path);
  const lines = [
    `GeoTIFF ${path}: ${info.width}×${info.height} px, ${info.bands} bands, ${info.dtype}`,
    ...(info.georef ? [`  CRS ${info.georef.crs ?? '(unknown)'}, origin [${info.georef.origin.join(', ')}], pixel [${info.georef.resolution.join(', ')}]`] : ['  not georeferenced']),
    ...(info.footprint?.center ? [`  centre lon ${info.footprint.center.lon.toFixed(5)}, lat ${info.footprint.center.lat.toFixed(5)}`] : []),
  ];
  return { kind: 'geotiff', path, details: { ...info }, lines };
}

/**
 * Summarise a dataset or a checkpoint: a terramae checkpoint folder (step, recipe, tensors,
 * parameter count, last losses), a `.safetensors` or `.pth` (tensors, dtypes, shapes), an
 * MMEarth-layout HDF5 (modalities, shapes, dtypes, sample count, splits, tile ids), a GeoTIFF
 * class folder or file, a `.npy`, or a recipe file.
 */
export async function inspectPath(path: string, options: { limit?: number } = {}): Promise<Inspection> {
  const limit = options.limit ?? 20;
  const kind = detectPathKind(path);
  switch (kind) {
    case 'checkpoint':
      return inspectCheckpoint(path, limit);
    case 'safetensors':
      return inspectSafetensors(path, limit);
    case 'pth':
      return inspectPth(path, limit);
    case 'mmearth':
      return inspectMMEarth(path, limit);
    case 'geotiff-folder':
      return inspectGeoTiffFolder(path, limit);
    case 'geotiff':
      return inspectGeoTiff(path);
    case 'npy': {
      const a = readNpy(path);
      return { kind: 'npy', path, details: { shape: a.shape, dtype: a.dtype }, lines: [`NumPy array ${path}: ${a.dtype} [${a.shape.join(', ')}]`] };
    }
    case 'recipe': {
      const r = parseRecipe(readFileSync(path, 'utf8'), path);
      return {
        kind: 'recipe',
        path,
        details: { recipe: r },
        lines: [`recipe ${r.name}: ${r.description ?? ''}`, `  backbone ${r.backbone.name}, masking ${r.masking.name}, ${r.tasks.length} tasks, aggregator ${r.aggregator.name}, data ${r.data.kind}`],
      };
    }
    default:
      throw new UsageError(
        `${path}: ${statSafe(path) ? 'not something terramae can inspect' : 'no such file or folder'}. ` +
          'inspect takes a checkpoint folder, .safetensors, .pth, an MMEarth .h5 (or its folder), a GeoTIFF or GeoTIFF class folder, a .npy or a recipe file.',
      );
  }
}

function statSafe(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
