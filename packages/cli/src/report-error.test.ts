import { describe, expect, it } from 'vitest';
import { TerramaeError } from '@terramae/tensors';
import { UsageError } from './errors';
import { reportError } from './report-error';

describe('reportError', () => {
  it('prints a usage error as is, exit 2', () => {
    expect(reportError(new UsageError('--recipe x: no such file.'), false)).toEqual({ text: 'terramae: --recipe x: no such file.', exitCode: 2 });
  });

  it('prints a terramae error message without the stack, exit 1', () => {
    const r = reportError(new TerramaeError('data.h5, sample 3: modality "sentinel1" is missing'), false);
    expect(r.exitCode).toBe(1);
    expect(r.text).toBe('terramae: error: data.h5, sample 3: modality "sentinel1" is missing');
  });

  it('summarises an unexpected error in one line and points to --verbose', () => {
    const r = reportError(new TypeError("Cannot read properties of undefined (reading 'shape')\nmore detail"), false);
    expect(r.exitCode).toBe(1);
    expect(r.text).toBe("terramae: unexpected error: TypeError: Cannot read properties of undefined (reading 'shape')\n(rerun with --verbose for the stack trace)");
  });

  it('adds the stack and the causes with --verbose', () => {
    const r = reportError(new TerramaeError('outer', { cause: new Error('inner cause') }), true);
    expect(r.text).toMatch(/^terramae: error: outer\nTerramaeError: outer\n\s+at /);
    expect(r.text).toMatch(/caused by: Error: inner cause/);
  });

  it('copes with thrown non-errors', () => {
    expect(reportError('boom', false).text).toMatch(/unexpected error: Error: boom/);
  });
});
