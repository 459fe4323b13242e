/**
 * Universal Transverse Mercator on the WGS84 ellipsoid, both directions, with Krüger's series in
 * the third flattening n to order n⁶ (sub-millimetre within a zone; Karney 2011, "Transverse
 * Mercator with an accuracy of a few nanometers"). No proj4 dependency.
 */

const A = 6378137; // WGS84 semi-major axis (m)
const F = 1 / 298.257223563; // WGS84 flattening
const K0 = 0.9996;
const FALSE_EASTING = 500000;
const FALSE_NORTHING_SOUTH = 10000000;

const N = F / (2 - F);
const N2 = N * N;
const N3 = N2 * N;
const N4 = N3 * N;
const N5 = N4 * N;
const N6 = N5 * N;
/** Rectifying radius. */
const RECT = (A / (1 + N)) * (1 + N2 / 4 + N4 / 64 + N6 / 256);
const E = Math.sqrt(F * (2 - F)); // first eccentricity

// Krüger coefficients alpha (forward) and beta (inverse), order n^6.
const ALPHA = [
  (1 / 2) * N - (2 / 3) * N2 + (5 / 16) * N3 + (41 / 180) * N4 - (127 / 288) * N5 + (7891 / 37800) * N6,
  (13 / 48) * N2 - (3 / 5) * N3 + (557 / 1440) * N4 + (281 / 630) * N5 - (1983433 / 1935360) * N6,
  (61 / 240) * N3 - (103 / 140) * N4 + (15061 / 26880) * N5 + (167603 / 181440) * N6,
  (49561 / 161280) * N4 - (179 / 168) * N5 + (6601661 / 7257600) * N6,
  (34729 / 80640) * N5 - (3418889 / 1995840) * N6,
  (212378941 / 319334400) * N6,
];
const BETA = [
  (1 / 2) * N - (2 / 3) * N2 + (37 / 96) * N3 - (1 / 360) * N4 - (81 / 512) * N5 + (96199 / 604800) * N6,
  (1 / 48) * N2 + (1 / 15) * N3 - (437 / 1440) * N4 + (46 / 105) * N5 - (1118711 / 3870720) * N6,
  (17 / 480) * N3 - (37 / 840) * N4 - (209 / 4480) * N5 + (5569 / 90720) * N6,
  (4397 / 161280) * N4 - (11 / 504) * N5 - (830251 / 7257600) * N6,
  (4583 / 161280) * N5 - (108847 / 3991680) * N6,
  (20648693 / 638668800) * N6,
];

/** A UTM zone: 1..60 and hemisphere. */
export interface UtmZone {
  readonly zone: number;
  readonly south: boolean;
}

/**
 * The UTM zone of an EPSG code (326xx north, 327xx south), or `undefined` for any other code.
 * Accepts `32633`, `'32633'` or `'EPSG:32633'`.
 */
export function utmZoneFromEpsg(epsg: number | string): UtmZone | undefined {
  const code = typeof epsg === 'number' ? epsg : Number(String(epsg).replace(/^EPSG:/i, ''));
  if (!Number.isInteger(code)) return undefined;
  const zone = code % 100;
  const base = code - zone;
  if ((base !== 32600 && base !== 32700) || zone < 1 || zone > 60) return undefined;
  return { zone, south: base === 32700 };
}

/** Central meridian of a UTM zone, degrees. */
export function utmCentralMeridian(zone: number): number {
  return -183 + 6 * zone;
}

/** Geographic coordinates in degrees. */
export interface LonLat {
  readonly lon: number;
  readonly lat: number;
}

/** UTM easting/northing (m) → WGS84 longitude/latitude (degrees). */
export function utmToLonLat(easting: number, northing: number, zone: UtmZone): LonLat {
  const x = easting - FALSE_EASTING;
  const y = zone.south ? northing - FALSE_NORTHING_SOUTH : northing;
  const xi = y / (K0 * RECT);
  const eta = x / (K0 * RECT);
  let xiP = xi;
  let etaP = eta;
  for (let j = 1; j <= 6; j++) {
    const b = BETA[j - 1] as number;
    xiP -= b * Math.sin(2 * j * xi) * Math.cosh(2 * j * eta);
    etaP -= b * Math.cos(2 * j * xi) * Math.sinh(2 * j * eta);
  }
  // conformal latitude chi, then geodetic latitude by Newton iteration on tau = tan(phi)
  const sinhEta = Math.sinh(etaP);
  const sinXi = Math.sin(xiP);
  const cosXi = Math.cos(xiP);
  const tauP = sinXi / Math.sqrt(sinhEta * sinhEta + cosXi * cosXi);
  const lam = Math.atan2(sinhEta, cosXi);
  const tau = tauFromTauPrime(tauP);
  const lat = (Math.atan(tau) * 180) / Math.PI;
  const lon = utmCentralMeridian(zone.zone) + (lam * 180) / Math.PI;
  return { lon: wrapLongitude(lon), lat };
}

/** WGS84 longitude/latitude (degrees) → UTM easting/northing (m) in the given zone. */
export function lonLatToUtm(lon: number, lat: number, zone: UtmZone): { easting: number; northing: number } {
  const phi = (lat * Math.PI) / 180;
  const lam = (wrapLongitude(lon - utmCentralMeridian(zone.zone)) * Math.PI) / 180;
  const tau = Math.tan(phi);
  const sigma = Math.sinh(E * Math.atanh((E * tau) / Math.sqrt(1 + tau * tau)));
  const tauP = tau * Math.sqrt(1 + sigma * sigma) - sigma * Math.sqrt(1 + tau * tau);
  const xiP = Math.atan2(tauP, Math.cos(lam));
  const etaP = Math.asinh(Math.sin(lam) / Math.sqrt(tauP * tauP + Math.cos(lam) ** 2));
  let xi = xiP;
  let eta = etaP;
  for (let j = 1; j <= 6; j++) {
    const a = ALPHA[j - 1] as number;
    xi += a * Math.sin(2 * j * xiP) * Math.cosh(2 * j * etaP);
    eta += a * Math.cos(2 * j * xiP) * Math.sinh(2 * j * etaP);
  }
  const easting = FALSE_EASTING + K0 * RECT * eta;
  const northing = (zone.south ? FALSE_NORTHING_SOUTH : 0) + K0 * RECT * xi;
  return { easting, northing };
}

/** The standard UTM zone of a longitude (without the Norway/Svalbard exceptions). */
export function utmZoneOf(lon: number, lat: number): UtmZone {
  const zone = Math.min(60, Math.max(1, Math.floor((wrapLongitude(lon) + 180) / 6) + 1));
  return { zone, south: lat < 0 };
}

function tauFromTauPrime(tauP: number): number {
  // Karney (2011) eq. 19-21: solve tau' = tau*sqrt(1+sigma^2) - sigma*sqrt(1+tau^2) for tau.
  const e2 = E * E;
  let tau = tauP;
  for (let i = 0; i < 6; i++) {
    const s1 = Math.sqrt(1 + tau * tau);
    const sigma = Math.sinh(E * Math.atanh((E * tau) / s1));
    const tp = tau * Math.sqrt(1 + sigma * sigma) - sigma * s1;
    const dtau = ((tauP - tp) / Math.sqrt(1 + tp * tp)) * ((1 + (1 - e2) * tau * tau) / ((1 - e2) * s1));
    tau += dtau;
    if (Math.abs(dtau) < 1e-14 * Math.max(1, Math.abs(tau))) break;
  }
  return tau;
}

function wrapLongitude(lon: number): number {
  let l = ((((lon + 180) % 360) + 360) % 360) - 180;
  if (l === -180 && lon > 0) l = 180;
  return l;
}
