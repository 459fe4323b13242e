import { ParityError } from '../errors';
import type { ParityContext } from '../registry';

function at(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const key of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || !(key in cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** A number from the case (`path` is dotted, relative to the case entry), or a ParityError naming case and field. */
export function caseNumber(ctx: ParityContext, path: string): number {
  const v = at(ctx.case, path);
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ParityError(`case "${ctx.case.name}" (kind ${ctx.case.kind}): manifest field "${path}" must be a number, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** An object from the case, or a ParityError naming case and field. */
export function caseObject(ctx: ParityContext, path: string): Record<string, unknown> {
  const v = at(ctx.case, path);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ParityError(`case "${ctx.case.name}" (kind ${ctx.case.kind}): manifest field "${path}" must be an object`);
  }
  return v as Record<string, unknown>;
}

/** An optional value from the case. */
export function caseValue(ctx: ParityContext, path: string): unknown {
  return at(ctx.case, path);
}
