import { afterEach, describe, expect, it, vi } from 'vitest';
import { globalRegistry } from './global-registry';

describe('globalRegistry', () => {
  afterEach(() => vi.restoreAllMocks());
  it('shares one store per key across calls, seeds it once, and warns on a duplicate name', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const a = globalRegistry<number>('terramae.test.registry', 'widget', [['one', 1]]);
    const b = globalRegistry<number>('terramae.test.registry', 'widget', [['ignored', 9]]);
    b.register('two', 2);
    expect(a.names()).toEqual(['one', 'two']);
    expect(a.get('two')).toBe(2);
    expect(warn).not.toHaveBeenCalled();
    a.register('one', 10);
    expect(warn).toHaveBeenCalledWith('terramae: widget "one" is registered twice; the later registration wins');
    expect(b.values()).toEqual([10, 2]);
    expect(a.has('two')).toBe(true);
    expect(b.unregister('two')).toBe(true);
    expect(a.has('two')).toBe(false);
    expect(a.unregister('two')).toBe(false);
  });
});
