import { Rng } from '@terramae/tensors';
import { DatasetFormatError } from '../errors';
import { footprintOf, type Footprint } from '../geo/footprint';
import { lonLatToUtm, utmToLonLat, utmZoneOf } from '../geo/utm';
import { DYNAMIC_WORLD_CLASSES, MMEARTH_MODALITIES } from '../modalities/mmearth-modalities';
import { BandStatsCollector } from '../mmearth/band-stats-collector';
import { MemoryMMEarthStore, type MemoryModality } from '../mmearth/memory-store';
import { MMEarthDataset, type MMEarthDatasetOptions } from '../mmearth/mmearth-dataset';
import { MMEarthWriter, type MMEarthWriteResult } from '../mmearth/mmearth-writer';
import type { MMEarthSideFiles, MMEarthSplits, TileInfo } from '../mmearth/side-files';
import type { StoredSampleMeta } from '../mmearth/store';
import { mixSeed } from '../util/seed';
import {
  biomeOf, greenness, LAPSE_RATE, monthlyPrecipitationShare, monthlyTemperature, seaLevelTemperature, seasonalAmplitude,
  zonalPrecipitation,
} from './climate';
import { LC, PATH_RADIANCE, S1_DB, SCL_CODE, SEASONAL_WEIGHT, SPECTRA_GREEN, SPECTRUM_SENESCENT, WORLDCOVER_CODE } from './land-cover';
import { fbm, hash2, valueNoise } from './noise';

/** Options of {@link generateSyntheticEarth}. */
export interface SyntheticEarthOptions {
  /** Number of tiles (locations). */
  readonly numLocations: number;
  /** Tile side in pixels at 10 m (default 64, as MMEarth64). */
  readonly tileSize?: number;
  /** Seed: the same seed gives the same Earth, tile for tile (default 0). */
  readonly seed?: number;
  /** Tiles per side of a site: each site is a `siteSize x siteSize` block of adjacent tiles (default 2). */
  readonly siteSize?: number;
  /** Share of tiles stored as L2A (surface reflectance; the rest L1C with path radiance and B10) (default 0.5). */
  readonly l2aFraction?: number;
  /** Share of tiles without a descending Sentinel-1 pass (default 0.2). */
  readonly missingDescendingFraction?: number;
  /** Split fractions, assigned by whole sites so neighbours never straddle splits (default 0.8 / 0.1 / 0.1). */
  readonly splits?: Readonly<Record<string, number>>;
}

/** A generated synthetic Earth, in memory, in the MMEarth layout. */
export interface SyntheticEarth {
  /** The options used, defaults filled in. */
  readonly options: Required<SyntheticEarthOptions>;
  /** The raw arrays, per sample exactly as the HDF5 file stores them. */
  readonly store: MemoryMMEarthStore;
  /** Band statistics, splits and tile info (what the three JSON side files hold). */
  readonly side: MMEarthSideFiles;
  /** Tile id → tile info (with `label`, `label_name` and `SYNTHETIC: true`). */
  readonly tileInfo: Readonly<Record<string, TileInfo>>;
  /** Tile ids in sample order. */
  readonly tileIds: readonly string[];
  /** Dominant Dynamic World land-cover class of each tile: a label for linear probes. */
  readonly labels: Int32Array;
  /** Names of the label classes. */
  readonly labelNames: readonly string[];
  /** Site index of each tile (tiles of a site are spatially adjacent). */
  readonly sites: Int32Array;
  /** Footprint of each tile (UTM box, lon/lat box and centre). */
  readonly footprints: readonly Footprint[];
  /** The Earth as an {@link MMEarthDataset} without writing a file (default: split `all`, `labelField: 'label'`). */
  dataset(options?: MMEarthDatasetOptions): MMEarthDataset;
}

/** Every modality the synthetic Earth stores, in HDF5 key order. */
export const SYNTHETIC_MODALITIES = [
  'sentinel2', 'sentinel1', 'aster', 'canopy_height_eth', 'dynamic_world', 'esa_worldcover', 'era5', 'lat', 'lon', 'month',
  'biome', 'eco_region', 'sentinel2_cloudmask', 'sentinel2_cloudprod', 'sentinel2_scl',
] as const;

interface Site {
  readonly lat: number;
  readonly lon: number;
  readonly zone: { zone: number; south: boolean };
  readonly e0: number;
  readonly n0: number;
  readonly seed: number;
  readonly base: number;
  readonly relief: number;
  readonly wetness: number;
  readonly human: number;
  readonly haze: number;
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const PIXEL_M = 10;

function drawSite(seed: number, s: number): Site {
  const rng = new Rng(mixSeed(seed, s, 0x517e));
  // uniform on the sphere between 56°S and 72°N (MMEarth samples land by biome; we sample area)
  const sinLo = Math.sin((-56 * Math.PI) / 180);
  const sinHi = Math.sin((72 * Math.PI) / 180);
  const lat = (Math.asin(rng.uniformRange(sinLo, sinHi)) * 180) / Math.PI;
  const lon = rng.uniformRange(-180, 180);
  const zone = utmZoneOf(lon, lat);
  const { easting, northing } = lonLatToUtm(lon, lat, zone);
  const kind = rng.uniform();
  let base: number;
  let relief: number;
  if (kind < 0.25) [base, relief] = [rng.uniformRange(-40, 40), 60]; // coast and lowland
  else if (kind < 0.6) [base, relief] = [rng.uniformRange(40, 600), 120]; // plains
  else if (kind < 0.85) [base, relief] = [rng.uniformRange(300, 1600), 450]; // hills
  else [base, relief] = [rng.uniformRange(1400, 4200), 1300]; // mountains
  return {
    lat, lon, zone, e0: easting, n0: northing, seed: mixSeed(seed, s, 0x7e11),
    base, relief,
    wetness: Math.exp(0.35 * rng.normal()),
    human: rng.uniformRange(-0.25, 0.3),
    haze: rng.uniform(),
    year: 2017 + rng.int(4),
    month: 1 + rng.int(12),
    day: 1 + rng.int(28),
  };
}

/** Per-tile scratch buffers, reused across tiles. */
interface Scratch {
  readonly elev: Float64Array; // (S+2)^2, one-pixel margin
  readonly cls: Uint8Array;
  readonly temp: Float64Array;
  readonly slopeDeg: Float64Array;
  readonly gradX: Float64Array;
  readonly shade: Float64Array;
}

/** Where a tile is and what was drawn for it. */
interface TileContext {
  readonly S: number;
  readonly site: Site;
  readonly rng: Rng;
  /** Site-local metric coordinates of the tile's top-left corner. */
  readonly ox: number;
  readonly oy: number;
  readonly lat: number;
  readonly lon: number;
  readonly l2a: boolean;
  readonly descMissing: boolean;
  readonly hhMode: boolean;
}

/** Tile-level summaries of the terrain and land cover. */
interface TileSummary {
  readonly hist: Int32Array;
  readonly meanElev: number;
  readonly meanT: number;
  readonly meanP: number;
  readonly waterFraction: number;
}

function computeTerrain(ctx: TileContext, sc: Scratch): void {
  const { S, site } = ctx;
  const G = S + 2;
  const seed = site.seed;
  const base = site.base;
  const relief = site.relief;
  for (let i = 0; i < G; i++) {
    const y = ctx.oy - (i - 0.5) * PIXEL_M;
    for (let j = 0; j < G; j++) {
      const x = ctx.ox + (j - 0.5) * PIXEL_M;
      sc.elev[i * G + j] = base + relief * fbm(x / 4000, y / 4000, seed, 4) + 25 * fbm(x / 300, y / 300, seed + 7, 2);
    }
  }
  // hill shade with the sun on the equator side at 45° elevation
  const sunAz = ((ctx.lat >= 0 ? 135 : 45) * Math.PI) / 180;
  const zen = Math.PI / 4;
  const cz = Math.cos(zen);
  const sz = Math.sin(zen);
  for (let i = 0; i < S; i++) {
    for (let j = 0; j < S; j++) {
      const p = i * S + j;
      const g = (i + 1) * G + (j + 1);
      const dzdx = ((sc.elev[g + 1] as number) - (sc.elev[g - 1] as number)) / (2 * PIXEL_M);
      const dzdy = ((sc.elev[g - G] as number) - (sc.elev[g + G] as number)) / (2 * PIXEL_M); // north minus south
      const slope = Math.atan(Math.sqrt(dzdx * dzdx + dzdy * dzdy));
      sc.slopeDeg[p] = (slope * 180) / Math.PI;
      sc.gradX[p] = dzdx;
      const aspect = Math.atan2(-dzdx, -dzdy); // direction the slope faces, clockwise from north
      sc.shade[p] = (cz * Math.cos(slope) + sz * Math.sin(slope) * Math.cos(sunAz - aspect)) / cz;
    }
  }
}

function classifyLandCover(ctx: TileContext, sc: Scratch): TileSummary {
  const { S, site } = ctx;
  const G = S + 2;
  const seed = site.seed;
  const seaT = seaLevelTemperature(ctx.lat);
  const precipBase = zonalPrecipitation(ctx.lat) * site.wetness;
  const hist = new Int32Array(9);
  let elevSum = 0;
  let tSum = 0;
  let pSum = 0;
  let water = 0;
  for (let i = 0; i < S; i++) {
    const y = ctx.oy - (i + 0.5) * PIXEL_M;
    for (let j = 0; j < S; j++) {
      const x = ctx.ox + (j + 0.5) * PIXEL_M;
      const p = i * S + j;
      const z = sc.elev[(i + 1) * G + j + 1] as number;
      const slope = sc.slopeDeg[p] as number;
      const T = seaT - LAPSE_RATE * Math.max(0, z);
      sc.temp[p] = T;
      const moist = precipBase * (1 + Math.max(0, z) / 3000) * (1 + 0.35 * fbm(x / 900, y / 900, seed + 13, 2));
      let k: number;
      if (z <= 0 || (slope < 4 && fbm(x / 1500, y / 1500, seed + 11, 2) > 0.45)) k = LC.water;
      else if (T < -4) k = LC.snow;
      else if (slope > 36) k = LC.bare;
      else {
        const use = fbm(x / 1300, y / 1300, seed + 21, 3) + site.human;
        if (use > 0.42 && slope < 10) k = LC.built;
        else if (use > 0.18 && slope < 12 && moist > 380 && T > 4) k = LC.crops;
        else if (moist > 900 && z < site.base + 5 && fbm(x / 700, y / 700, seed + 17, 2) > 0.25) k = LC.flooded;
        else {
          const forestPotential = clamp01((moist - 450) / 700) * clamp01((T + 3) / 9);
          const patch = valueNoise(x / 220, y / 220, seed + 19) * 0.7 + valueNoise(x / 60, y / 60, seed + 23) * 0.3;
          if (patch < forestPotential) k = LC.trees;
          else if (moist < 230) k = LC.bare;
          else if (moist < 480) k = LC.shrub;
          else k = LC.grass;
        }
      }
      sc.cls[p] = k;
      hist[k] = (hist[k] as number) + 1;
      elevSum += z;
      tSum += T;
      pSum += moist;
      if (k === LC.water) water++;
    }
  }
  const HW = S * S;
  return { hist, meanElev: elevSum / HW, meanT: tSum / HW, meanP: pSum / HW, waterFraction: water / HW };
}

function renderSentinel2(ctx: TileContext, sc: Scratch, summary: TileSummary, out: Uint16Array): void {
  const { S, site, rng } = ctx;
  const HW = S * S;
  const m = site.month;
  const amp = seasonalAmplitude(ctx.lat);
  const monthT = summary.meanT + amp * Math.cos((2 * Math.PI * (m - (ctx.lat >= 0 ? 7 : 1))) / 12);
  const g = greenness(monthT, summary.meanP, ctx.lat, m);
  const hazeScale = 0.7 + 0.6 * site.haze;
  const cirrus = 0.003 + 0.012 * site.haze;
  const seed = site.seed;
  for (let i = 0; i < S; i++) {
    const y = ctx.oy - (i + 0.5) * PIXEL_M;
    for (let j = 0; j < S; j++) {
      const x = ctx.ox + (j + 0.5) * PIXEL_M;
      const p = i * S + j;
      const k = sc.cls[p] as number;
      const texture = 1 + 0.12 * fbm(x / 70, y / 70, seed + 31, 2);
      const shadeRaw = sc.shade[p] as number;
      const shade = k === LC.water ? 1 : shadeRaw < 0.25 ? 0.25 : shadeRaw > 1.6 ? 1.6 : shadeRaw;
      const w = SEASONAL_WEIGHT[k] as number;
      const green = SPECTRA_GREEN[k] as readonly number[];
      const geff = 1 - w * (1 - g);
      const scale = texture * shade;
      for (let b = 0; b < 13; b++) {
        let v: number;
        if (b === 10) {
          if (ctx.l2a) {
            out[b * HW + p] = 0; // L2A: B10 is a zero placeholder
            continue;
          }
          v = cirrus + 0.001 * rng.uniform();
        } else {
          v = (geff * (green[b] as number) + (1 - geff) * (SPECTRUM_SENESCENT[b] as number)) * scale + (rng.uniform() - 0.5) * 0.008;
          if (!ctx.l2a) v += (PATH_RADIANCE[b] as number) * hazeScale;
        }
        const dn = Math.round(v * 10000);
        out[b * HW + p] = dn < 1 ? 1 : dn > 65535 ? 65535 : dn;
      }
    }
  }
}

interface PixelOutputs {
  readonly s1: Float32Array;
  readonly aster: Int16Array;
  readonly canopy: Int8Array;
  readonly dw: Uint8Array;
  readonly wc: Uint8Array;
  readonly qa: Uint16Array;
  readonly prob: Uint16Array;
  readonly scl: Uint8Array;
}

function renderOtherPixels(ctx: TileContext, sc: Scratch, summary: TileSummary, biome: number, o: PixelOutputs): void {
  const { S, site, rng } = ctx;
  const HW = S * S;
  const G = S + 2;
  const seed = site.seed;
  const wetDb = clamp01(summary.meanP / 2500);
  const treeScale = clamp01(summary.meanP / 2500);
  // dual polarisation: VV+VH in most places, HH+HV near the poles and in a few other tiles
  const co = ctx.hhMode ? 2 : 0;
  const cross = ctx.hhMode ? 3 : 1;
  o.s1.fill(Number.NEGATIVE_INFINITY);
  for (let p = 0; p < HW; p++) {
    const k = sc.cls[p] as number;
    const db = S1_DB[k] as readonly [number, number];
    const vv = db[0] + (ctx.hhMode ? 0.7 : 0);
    const vh = db[1] - (ctx.hhMode ? 0.5 : 0);
    const terrain = 9 * Math.sin(Math.atan(sc.gradX[p] as number)); // slopes facing the sensor are brighter
    const veg = k === LC.trees || k === LC.grass || k === LC.crops || k === LC.shrub ? 1.2 * wetDb : 0;
    o.s1[co * HW + p] = vv + veg + terrain + 3 * (rng.uniform() - 0.5); // speckle ±1.5 dB
    o.s1[cross * HW + p] = vh + veg + 0.8 * terrain + 3 * (rng.uniform() - 0.5);
    if (!ctx.descMissing) {
      o.s1[(co + 4) * HW + p] = vv + veg - terrain + 3 * (rng.uniform() - 0.5);
      o.s1[(cross + 4) * HW + p] = vh + veg - 0.8 * terrain + 3 * (rng.uniform() - 0.5);
    }
    const i = Math.floor(p / S);
    const j = p - i * S;
    o.aster[p] = Math.round(sc.elev[(i + 1) * G + j + 1] as number);
    o.aster[HW + p] = Math.round(sc.slopeDeg[p] as number);
    let h = 0;
    if (k === LC.trees) {
      const x = ctx.ox + (j + 0.5) * PIXEL_M;
      const y = ctx.oy - (i + 0.5) * PIXEL_M;
      h = (6 + 26 * treeScale * clamp01(((sc.temp[p] as number) + 5) / 30)) * (1 + 0.25 * fbm(x / 120, y / 120, seed + 41, 2));
    } else if (k === LC.shrub) h = 1.5 + rng.uniform();
    else if (k === LC.flooded) h = 0.5 * rng.uniform();
    o.canopy[p] = Math.round(h);
    o.canopy[HW + p] = Math.round(0.15 * h + (h > 0 ? 1 : 0));
    o.dw[p] = rng.uniform() < 0.003 ? 0 : k + 1;
    let code = WORLDCOVER_CODE[k] as number;
    if (k === LC.flooded && biome === 9) code = 95;
    if (k === LC.grass && biome === 0) code = 100;
    if (rng.uniform() < 0.02) code = WC_NOISE_CODES[rng.int(WC_NOISE_CODES.length)] as number;
    o.wc[p] = code;
    o.qa[p] = 0;
    o.prob[p] = ctx.l2a ? Math.round(2 * rng.uniform()) : 65535;
    o.scl[p] = ctx.l2a ? (SCL_CODE[k] as number) : 255;
  }
}

const WC_NOISE_CODES = [10, 20, 30, 40, 50, 60, 80];

/** The 12 ERA5 values (K, m) of a tile: previous month, S2 month, and the 12 months to it. */
function era5Values(lat: number, meanElev: number, meanP: number, m: number): number[] {
  const amp = seasonalAmplitude(lat);
  const annual = seaLevelTemperature(lat) - LAPSE_RATE * Math.max(0, meanElev);
  const wrap = (mm: number) => ((mm + 11) % 12) + 1;
  const T = (mm: number) => monthlyTemperature(annual, amp, lat, wrap(mm));
  const rain = (mm: number) => (meanP * monthlyPrecipitationShare(lat, wrap(mm))) / 1000;
  const K = 273.15;
  const spread = 2.5 + 0.08 * amp;
  const months = Array.from({ length: 12 }, (_, i) => T(i + 1));
  const prev = m - 1;
  return [
    T(prev) + K, T(prev) - spread + K, T(prev) + spread + K, rain(prev),
    T(m) + K, T(m) - spread + K, T(m) + spread + K, rain(m),
    months.reduce((a, b) => a + b, 0) / 12 + K, Math.min(...months) - spread + K, Math.max(...months) + spread + K, meanP / 1000,
  ];
}

/**
 * Generate a **synthetic** multi-modal Earth in the MMEarth layout: `numLocations` tiles in sites
 * of adjacent tiles at random places, whose modalities are physically related so that multi-modal
 * pretext tasks carry real signal:
 *
 * - terrain (fractal noise per site) → ASTER elevation and slope;
 * - climate from latitude and elevation → ERA5 temperatures and precipitation, and the biome;
 * - land cover per pixel from terrain, climate and a land-use field → Dynamic World, WorldCover,
 *   and the tile's dominant class (`labels`, tile-info `label`);
 * - Sentinel-2 spectra per land-cover class, with texture, season (greenness from the acquisition
 *   month and hemisphere), hill shading, noise, and L1C path radiance / L2A surface reflectance;
 * - Sentinel-1 backscatter (terrain-dependent, speckled, VV/VH or HH/HV) and canopy height from
 *   land cover;
 * - month and lat/lon from the acquisition date and tile centre.
 *
 * Deterministic per seed; a tile does not depend on how many tiles are generated. It is not real
 * data and says so (`SYNTHETIC: true` in every tile-info entry, `synthetic_` tile ids).
 */
export function generateSyntheticEarth(options: SyntheticEarthOptions): SyntheticEarth {
  const opts: Required<SyntheticEarthOptions> = {
    numLocations: options.numLocations,
    tileSize: options.tileSize ?? 64,
    seed: (options.seed ?? 0) >>> 0,
    siteSize: options.siteSize ?? 2,
    l2aFraction: options.l2aFraction ?? 0.5,
    missingDescendingFraction: options.missingDescendingFraction ?? 0.2,
    splits: options.splits ?? { train: 0.8, val: 0.1, test: 0.1 },
  };
  const N = opts.numLocations;
  const S = opts.tileSize;
  const K = opts.siteSize;
  if (!(Number.isInteger(N) && N > 0)) throw new DatasetFormatError(`generateSyntheticEarth: numLocations must be a positive integer, got ${N}.`);
  if (!(Number.isInteger(S) && S >= 4)) throw new DatasetFormatError(`generateSyntheticEarth: tileSize must be an integer ≥ 4, got ${S}.`);
  if (!(Number.isInteger(K) && K >= 1)) throw new DatasetFormatError(`generateSyntheticEarth: siteSize must be a positive integer, got ${K}.`);
  const HW = S * S;
  const arrays = {
    sentinel2: new Uint16Array(N * 13 * HW),
    sentinel1: new Float32Array(N * 8 * HW),
    aster: new Int16Array(N * 2 * HW),
    canopy_height_eth: new Int8Array(N * 2 * HW),
    dynamic_world: new Uint8Array(N * HW),
    esa_worldcover: new Uint8Array(N * HW),
    era5: new Float32Array(N * 12),
    lat: new Float32Array(N * 2),
    lon: new Float32Array(N * 2),
    month: new Float32Array(N * 2),
    biome: new Uint8Array(N * 14),
    eco_region: new Uint16Array(N * 846),
    sentinel2_cloudmask: new Uint16Array(N * HW),
    sentinel2_cloudprod: new Uint16Array(N * HW),
    sentinel2_scl: new Uint8Array(N * HW),
  };
  const metas: StoredSampleMeta[] = [];
  const tileInfo: Record<string, TileInfo> = {};
  const tileIds: string[] = [];
  const labels = new Int32Array(N);
  const sites = new Int32Array(N);
  const footprints: Footprint[] = [];
  const stats = new BandStatsCollector();
  const sitesCache = new Map<number, Site>();
  const G = S + 2;
  const sc: Scratch = {
    elev: new Float64Array(G * G), cls: new Uint8Array(HW), temp: new Float64Array(HW),
    slopeDeg: new Float64Array(HW), gradX: new Float64Array(HW), shade: new Float64Array(HW),
  };
  const tileM = S * PIXEL_M;

  for (let t = 0; t < N; t++) {
    const s = Math.floor(t / (K * K));
    const within = t % (K * K);
    const r = Math.floor(within / K);
    const c = within % K;
    let site = sitesCache.get(s);
    if (!site) {
      site = drawSite(opts.seed, s);
      sitesCache.set(s, site);
    }
    const rng = new Rng(mixSeed(opts.seed, t, 0x711e));
    const left = site.e0 + (c - K / 2) * tileM;
    const top = site.n0 + (K / 2 - r) * tileM;
    const crs = `EPSG:${site.zone.south ? 327 : 326}${String(site.zone.zone).padStart(2, '0')}`;
    footprints.push(footprintOf([left, top, left + tileM, top - tileM], crs));
    const center = utmToLonLat(left + tileM / 2, top - tileM / 2, site.zone);
    const l2a = rng.uniform() < opts.l2aFraction;
    // HH+HV near the poles and in every tenth tile (so even small Earths have statistics for all 8 channels)
    const hhMode = Math.abs(center.lat) > 60 || t % 10 === 3;
    const descMissing = rng.uniform() < opts.missingDescendingFraction && !hhMode;
    const ctx: TileContext = {
      S, site, rng, ox: left - site.e0, oy: top - site.n0, lat: center.lat, lon: center.lon, l2a, descMissing, hhMode,
    };
    computeTerrain(ctx, sc);
    const summary = classifyLandCover(ctx, sc);
    const label = argmax(summary.hist);
    labels[t] = label;
    sites[t] = s;
    const biome = biomeOf({
      temperature: summary.meanT, precipitation: summary.meanP, elevation: summary.meanElev, lat: center.lat,
      waterFraction: summary.waterFraction, coastal: site.base < 10 && summary.waterFraction > 0,
    });
    renderSentinel2(ctx, sc, summary, arrays.sentinel2.subarray(t * 13 * HW, (t + 1) * 13 * HW));
    renderOtherPixels(ctx, sc, summary, biome, {
      s1: arrays.sentinel1.subarray(t * 8 * HW, (t + 1) * 8 * HW),
      aster: arrays.aster.subarray(t * 2 * HW, (t + 1) * 2 * HW),
      canopy: arrays.canopy_height_eth.subarray(t * 2 * HW, (t + 1) * 2 * HW),
      dw: arrays.dynamic_world.subarray(t * HW, (t + 1) * HW),
      wc: arrays.esa_worldcover.subarray(t * HW, (t + 1) * HW),
      qa: arrays.sentinel2_cloudmask.subarray(t * HW, (t + 1) * HW),
      prob: arrays.sentinel2_cloudprod.subarray(t * HW, (t + 1) * HW),
      scl: arrays.sentinel2_scl.subarray(t * HW, (t + 1) * HW),
    });
    const m = site.month;
    arrays.era5.set(era5Values(center.lat, summary.meanElev, summary.meanP, m), t * 12);
    const rad = Math.PI / 180;
    arrays.lat.set([Math.sin(center.lat * rad), Math.cos(center.lat * rad)], t * 2);
    arrays.lon.set([Math.sin(center.lon * rad), Math.cos(center.lon * rad)], t * 2);
    arrays.month.set([Math.sin((2 * Math.PI * m) / 12), Math.cos((2 * Math.PI * m) / 12)], t * 2);
    arrays.biome[t * 14 + biome] = 1;
    const eco = biome * 60 + Math.floor(hash2(Math.floor(center.lat / 6), Math.floor(center.lon / 12), opts.seed) * 60);
    arrays.eco_region[t * 846 + eco] = 1;

    const id = `synthetic_${s}_${r}_${c}`;
    const s2Type = l2a ? 'l2a' : 'l1c';
    tileIds.push(id);
    metas.push({ tileId: id, s2Type });
    const pol = hhMode ? ['HH', 'HV'] : ['VV', 'VH'];
    tileInfo[id] = {
      S2_DATE: `${site.year}-${String(m).padStart(2, '0')}-${String(site.day).padStart(2, '0')}`,
      S2_type: s2Type, CRS: crs, lat: center.lat, lon: center.lon, biome, eco_region: eco, NO_DATA: false,
      BANDS: {
        sentinel2: [...MMEARTH_MODALITIES.sentinel2!.storedBands],
        sentinel1_asc: pol,
        sentinel1_desc: descMissing ? null : pol,
        aster: ['elevation', 'slope'],
        era5: [...MMEARTH_MODALITIES.era5!.storedBands],
        dynamic_world: ['label'],
        canopy_height_eth: ['height', 'std'],
        esa_worldcover: ['Map'],
      },
      SYNTHETIC: true,
      site: s,
      label,
      label_name: DYNAMIC_WORLD_CLASSES[label],
    };
  }

  const store = new MemoryMMEarthStore(
    `memory:synthetic-earth(seed ${opts.seed})`,
    Object.fromEntries(
      SYNTHETIC_MODALITIES.map((name) => {
        const def = MMEARTH_MODALITIES[name]!;
        const shape = def.level === 'pixel' ? [def.storedBands.length, S, S] : [def.storedBands.length];
        return [name, { data: arrays[name], shape } satisfies MemoryModality];
      }),
    ),
    metas,
  );
  for (let t = 0; t < N; t++) {
    const s2Type = (metas[t] as StoredSampleMeta).s2Type as 'l1c' | 'l2a';
    for (const name of SYNTHETIC_MODALITIES) stats.add(MMEARTH_MODALITIES[name]!, s2Type, store.read(name, t));
  }
  const splits = siteSplits(opts, sites);
  const side: MMEarthSideFiles = {
    bandStats: stats.result(),
    splits,
    tileInfo: { get: (id) => tileInfo[id], has: (id) => id in tileInfo, size: N },
  };
  return {
    options: opts, store, side, tileInfo, tileIds, labels, labelNames: DYNAMIC_WORLD_CLASSES, sites, footprints,
    dataset: (dsOptions = {}) => new MMEarthDataset(store, side, { split: 'all', labelField: 'label', ...dsOptions }),
  };
}

/**
 * Generate a synthetic Earth and write it as an MMEarth-layout dataset (`<name>.h5` and its three
 * JSON side files) with {@link MMEarthWriter}. Compression defaults to 0 (fast); pass 4 for the
 * release's gzip level.
 */
export async function writeSyntheticEarth(
  path: string,
  options: SyntheticEarthOptions & { compression?: number; overwrite?: boolean },
): Promise<{ earth: SyntheticEarth; result: MMEarthWriteResult }> {
  const earth = generateSyntheticEarth(options);
  const N = earth.store.length;
  const writer = await MMEarthWriter.create(path, {
    numSamples: N, tileSize: earth.options.tileSize, modalities: SYNTHETIC_MODALITIES,
    compression: options.compression ?? 0, ...(options.overwrite ? { overwrite: true } : {}),
  });
  for (let t = 0; t < N; t++) {
    const meta = earth.store.meta(t);
    const data: Record<string, ArrayLike<number>> = {};
    for (const name of SYNTHETIC_MODALITIES) data[name] = earth.store.read(name, t);
    const { BANDS: _bands, ...info } = earth.tileInfo[meta.tileId] as TileInfo;
    writer.write({ tileId: meta.tileId, s2Type: meta.s2Type as 'l1c' | 'l2a', data, tileInfo: info });
  }
  const result = await writer.close(earth.side.splits);
  return { earth, result };
}

function siteSplits(opts: Required<SyntheticEarthOptions>, sites: Int32Array): MMEarthSplits {
  const entries = Object.entries(opts.splits);
  const total = entries.reduce((a, [, f]) => a + f, 0);
  if (entries.some(([, f]) => !(f >= 0)) || Math.abs(total - 1) > 1e-6) {
    throw new DatasetFormatError(`generateSyntheticEarth: split fractions must be ≥ 0 and sum to 1, got ${JSON.stringify(opts.splits)}.`);
  }
  const numSites = sites.length ? (sites[sites.length - 1] as number) + 1 : 0;
  const order = new Rng(mixSeed(opts.seed, 0x5911)).permutation(numSites);
  const splitOfSite = new Int32Array(numSites);
  let start = 0;
  entries.forEach(([, f], k) => {
    const end = k === entries.length - 1 ? numSites : Math.min(numSites, start + Math.round(f * numSites));
    for (let i = start; i < end; i++) splitOfSite[order[i] as number] = k;
    start = end;
  });
  const out: Record<string, number[]> = Object.fromEntries(entries.map(([name]) => [name, [] as number[]]));
  sites.forEach((s, t) => (out[(entries[splitOfSite[s] as number] as [string, number])[0]] as number[]).push(t));
  return out;
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

function argmax(a: Int32Array): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if ((a[i] as number) > (a[best] as number)) best = i;
  return best;
}
