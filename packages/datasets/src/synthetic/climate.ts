/**
 * The synthetic Earth's climate: temperature and precipitation from latitude, elevation and
 * season, and a RESOLVE biome (MMEarth's class order) from them. Simple, smooth rules chosen so
 * that the image-level targets (biome, ERA5, lat, month) depend on what the pixels show.
 */

/** Annual mean near-surface temperature (°C) at sea level for a latitude. */
export function seaLevelTemperature(lat: number): number {
  const a = Math.abs(lat);
  return 27 - 0.5 * Math.max(0, a - 12) - 0.004 * Math.max(0, a - 40) ** 2;
}

/** Half the annual temperature range (°C): small in the tropics, large at high latitudes. */
export function seasonalAmplitude(lat: number): number {
  return 1 + 0.22 * Math.abs(lat);
}

/** Temperature lapse rate, °C per metre. */
export const LAPSE_RATE = 0.0065;

/** Mean temperature (°C) of month `m` (1..12) for an annual mean and amplitude; warmest in July (north) or January (south). */
export function monthlyTemperature(annualMean: number, amplitude: number, lat: number, m: number): number {
  const peak = lat >= 0 ? 7 : 1;
  return annualMean + amplitude * Math.cos((2 * Math.PI * (m - peak)) / 12);
}

/** Annual precipitation (mm) for a latitude, before a site's own wetness factor. */
export function zonalPrecipitation(lat: number): number {
  const a = Math.abs(lat);
  return 150 + 2300 * Math.exp(-((a / 11) ** 2)) + 850 * Math.exp(-(((a - 50) / 13) ** 2));
}

/** Share of the annual precipitation falling in month `m` (sums to 1 over the year). */
export function monthlyPrecipitationShare(lat: number, m: number): number {
  // tropics/subtropics: summer monsoon; mid-latitudes: nearly even
  const a = Math.abs(lat);
  const seasonality = a < 35 ? 0.8 * Math.exp(-(((a - 15) / 12) ** 2)) : 0.15;
  const peak = lat >= 0 ? 7 : 1;
  return (1 + seasonality * Math.cos((2 * Math.PI * (m - peak)) / 12)) / 12;
}

/** Vegetation greenness 0..1 in month `m`: seasonal outside the tropics, limited by cold and drought. */
export function greenness(temperature: number, precipitation: number, lat: number, m: number): number {
  const amp = Math.min(1, Math.abs(lat) / 45);
  const peak = lat >= 0 ? 7 : 1;
  const seasonal = 1 - amp * 0.5 * (1 - Math.cos((2 * Math.PI * (m - peak)) / 12));
  const cold = Math.min(1, Math.max(0, (temperature + 2) / 10));
  const wet = Math.min(1, precipitation / 800);
  return Math.max(0.05, Math.min(1, seasonal * cold * (0.3 + 0.7 * wet)));
}

/**
 * RESOLVE biome in MMEarth's class order (0 Tundra, 1 Tropical moist broadleaf, 2 Mediterranean,
 * 3 Deserts, 4 Temperate grasslands, 5 Boreal, 6 Temperate conifer, 7 Temperate broadleaf & mixed,
 * 8 Montane grasslands, 9 Mangroves, 10 Flooded grasslands, 11 Tropical grasslands, 12 Tropical
 * dry broadleaf, 13 Tropical coniferous) from a tile's mean climate and terrain.
 */
export function biomeOf(t: { temperature: number; precipitation: number; elevation: number; lat: number; waterFraction: number; coastal: boolean }): number {
  const a = Math.abs(t.lat);
  if (t.temperature < -3) return 0;
  if (t.elevation > 2800 && a < 45) return 8;
  if (t.temperature < 3) return 5;
  if (t.precipitation < 280) return 3;
  if (a < 25 && t.temperature > 18) {
    if (t.coastal && t.elevation < 30) return 9;
    if (t.waterFraction > 0.25 && t.elevation < 200) return 10;
    if (t.precipitation > 1800) return 1;
    if (t.precipitation > 1100) return t.elevation > 1200 ? 13 : 12;
    return 11;
  }
  if (a >= 28 && a <= 44 && t.precipitation < 900) return 2;
  if (t.precipitation < 550) return 4;
  if (t.temperature < 9) return 6;
  return 7;
}
