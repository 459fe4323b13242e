import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { RecipeData } from '@terramae/recipes';

/** What a path holds, as far as the CLI can tell from names alone. */
export type PathKind = RecipeData['kind'] | 'geotiff' | 'checkpoint' | 'safetensors' | 'pth' | 'npy' | 'recipe';

const TIFF = new Set(['.tif', '.tiff']);

/** Whether a folder holds class sub-folders of GeoTIFFs (EuroSAT layout), possibly under split folders. */
function isGeoTiffClassFolder(dir: string, depth = 0): boolean {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return false;
  }
  for (const name of names) {
    const p = join(dir, name);
    if (!statSync(p).isDirectory()) continue;
    if (readdirSync(p).some((f) => TIFF.has(extname(f).toLowerCase()))) return true;
    if (depth === 0 && isGeoTiffClassFolder(p, 1)) return true;
  }
  return false;
}

/**
 * Guess what a path is from its name and, for folders, their contents: an MMEarth-layout HDF5
 * (`.h5`, or a folder holding one), a GeoTIFF class folder, a DSen2 `.mat` scene, a single
 * GeoTIFF, a terramae checkpoint folder (`meta.json`), a `.safetensors`, a `.pth`, a `.npy`, a
 * recipe (`.json`/`.yaml`). `undefined` when nothing fits.
 */
export function detectPathKind(path: string): PathKind | undefined {
  if (!existsSync(path)) return undefined;
  const ext = extname(path).toLowerCase();
  if (statSync(path).isDirectory()) {
    const names = readdirSync(path);
    if (names.includes('meta.json') && names.includes('model.safetensors')) return 'checkpoint';
    if (names.some((n) => n.endsWith('.h5'))) return 'mmearth';
    if (names.some((n) => n.endsWith('.mat'))) return 'scene-pairs';
    if (isGeoTiffClassFolder(path)) return 'geotiff-folder';
    return undefined;
  }
  if (ext === '.h5' || ext === '.hdf5') return 'mmearth';
  if (ext === '.mat') return 'scene-pairs';
  if (TIFF.has(ext)) return 'geotiff';
  if (ext === '.safetensors') return 'safetensors';
  if (ext === '.pth' || ext === '.pt' || ext === '.bin' || ext === '.ckpt') return 'pth';
  if (ext === '.npy') return 'npy';
  if (ext === '.json' || ext === '.yaml' || ext === '.yml') return 'recipe';
  return undefined;
}

/** The recipe `data.kind` of a dataset path, when it is one. */
export function detectDataKind(path: string): RecipeData['kind'] | undefined {
  const kind = detectPathKind(path);
  return kind === 'mmearth' || kind === 'geotiff-folder' || kind === 'scene-pairs' ? kind : undefined;
}
