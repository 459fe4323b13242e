import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ParityError } from './errors';

/** Pass thresholds for one group of tensors (see the fixtures README). */
export interface ParityTolerance {
  /** Largest allowed `‖y − r‖₂ / ‖r‖₂`. */
  readonly rel_l2: number;
  /** Largest allowed `max|y − r| / max|r|`. */
  readonly max_abs_rel: number;
  readonly [extra: string]: unknown;
}

/** Description of one tensor of a case file (informative; the file is authoritative). */
export interface ParityTensorInfo {
  /** Safetensors dtype name. */
  readonly dtype?: string;
  /** Dimensions. */
  readonly shape?: readonly number[];
  /** What the tensor holds. */
  readonly meaning?: string;
}

/** One case of `manifest.json`. Extra fields (settings of the kind) are kept as they are. */
export interface ParityCase {
  /** Unique case name. */
  readonly name: string;
  /** What the case exercises; runners dispatch on it (never on the name). */
  readonly kind: string;
  /** The safetensors file, relative to the manifest. */
  readonly file: string;
  /** Expected file size in bytes (optional check). */
  readonly bytes?: number;
  /** Expected SHA-256 of the file (optional check). */
  readonly sha256?: string;
  /** One-line description. */
  readonly title?: string;
  /** Details a runner must honour (layouts, exceptions such as don't-care entries). */
  readonly notes?: readonly string[];
  /** `forward` for `output/*` tensors, `grads` for `grad/*` tensors. */
  readonly tolerance: { readonly forward?: ParityTolerance; readonly grads?: ParityTolerance; readonly [k: string]: unknown };
  /**
   * Optional, explicit list of tensor names (or `{a,b}` / `<a|b>` patterns) whose NaN reference
   * entries are don't-care; adds to what the notes declare (see `nanDontCareTensors`).
   */
  readonly nan_dont_care?: readonly string[];
  /** Tensor descriptions. */
  readonly tensors?: Readonly<Record<string, ParityTensorInfo>>;
  readonly [setting: string]: unknown;
}

/** A parsed `manifest.json`. */
export interface ParityManifest {
  /** The cases, in file order. */
  readonly cases: readonly ParityCase[];
  readonly [extra: string]: unknown;
}

/** The settings object a case keeps under `constructor` (`{}` when absent). */
export function caseConstructor(c: ParityCase): Record<string, unknown> {
  const value = Object.prototype.hasOwnProperty.call(c, 'constructor') ? (c as Record<string, unknown>)['constructor'] : undefined;
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function isTolerance(x: unknown): x is ParityTolerance {
  if (typeof x !== 'object' || x === null) return false;
  const t = x as Record<string, unknown>;
  return typeof t['rel_l2'] === 'number' && typeof t['max_abs_rel'] === 'number' && t['rel_l2'] >= 0 && t['max_abs_rel'] >= 0;
}

/** Validate a parsed manifest; `where` names its file in the messages. */
export function parseManifest(json: unknown, where: string): ParityManifest {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { cases?: unknown }).cases)) {
    throw new ParityError(`${where}: expected a JSON object with a "cases" array`);
  }
  const cases = (json as { cases: unknown[] }).cases;
  const names = new Set<string>();
  cases.forEach((c, i) => {
    const label = `${where}: cases[${i}]`;
    if (typeof c !== 'object' || c === null) throw new ParityError(`${label} is not an object`);
    const o = c as Record<string, unknown>;
    for (const key of ['name', 'kind', 'file'] as const) {
      if (typeof o[key] !== 'string' || o[key] === '') throw new ParityError(`${label} has no "${key}" string`);
    }
    const name = o['name'] as string;
    if (names.has(name)) throw new ParityError(`${label}: case name "${name}" appears twice; names must be unique`);
    names.add(name);
    const tol = o['tolerance'] as Record<string, unknown> | undefined;
    if (typeof tol !== 'object' || tol === null) throw new ParityError(`${label} ("${name}") has no "tolerance" object`);
    for (const group of ['forward', 'grads']) {
      if (tol[group] !== undefined && !isTolerance(tol[group])) {
        throw new ParityError(`${label} ("${name}"): tolerance.${group} needs non-negative numbers rel_l2 and max_abs_rel`);
      }
    }
    if (o['notes'] !== undefined && !(Array.isArray(o['notes']) && o['notes'].every((n) => typeof n === 'string'))) {
      throw new ParityError(`${label} ("${name}"): "notes" must be an array of strings`);
    }
  });
  return json as ParityManifest;
}

/** Read and validate `<dir>/manifest.json`. */
export function loadManifest(dir: string): ParityManifest {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) {
    throw new ParityError(`${path} does not exist: --dir must be a parity fixture folder (with manifest.json and the .safetensors files)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ParityError(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseManifest(json, path);
}
