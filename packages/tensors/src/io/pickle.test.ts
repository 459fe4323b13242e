import { describe, expect, it } from 'vitest';
import { PthError } from './errors';
import { NOT_HANDLED, PickleDict, PickleGlobal, PickleObject, unpickle } from './pickle';

const hex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g)!, (b) => parseInt(b, 16));

// Written by CPython 3 `pickle.dumps(value, protocol=N)`; the values are in the comments.
// {'a': [1, -2, 2.5, 'x', None, True, False], 'b': (1,), 'big': 2**70, 'neg': -300000, 'u': 'é✓'}
const P0 =
  '286470300a56610a70310a286c70320a49310a61492d320a6146322e350a6156780a70330a614e614930310a614930300a617356620a70340a2849310a7470350a73566269670a70360a4c313138303539313632303731373431313330333432344c0a73566e65670a70370a492d3330303030300a7356750a70380a56e95c75323731330a70390a732e';
// {'od': OrderedDict([('k', 1), ('j', (1, 2, 3))]), 'bytes': b'\x00\xffab', 'set': {3},
//  'same': (shared, shared) with shared = [1, 2], 'big': -2**70, 'f': 1e-300, 'i2': 40000, 'i4': -5}
const P2 =
  '80027d71002858020000006f64710163636f6c6c656374696f6e730a4f726465726564446963740a7102295271032858010000006b71044b0158010000006a71054b014b024b0387710675580500000062797465737107635f636f646563730a656e636f64650a7108580500000000c3bf6162710958060000006c6174696e31710a86710b52710c5803000000736574710d635f5f6275696c74696e5f5f0a7365740a710e5d710f4b0361857110527111580400000073616d6571125d7113284b014b02656813867114580300000062696771158a090000000000000000c058010000006671164701a56e1fc2f8f3595802000000693271174d409c5802000000693471184afbffffff752e';
// {'ns': argparse.Namespace(model='vit', lr=0.5), 'fs': frozenset([7]), 's': {1, 2}, 'b': b'xy',
//  't3': (1, 'a', None), 'long': 'z' * 300}
const P4 =
  '800495ad010000000000007d94288c026e73948c086172677061727365948c094e616d6573706163659493942981947d94288c056d6f64656c948c03766974948c026c7294473fe000000000000075628c02667394284b0791948c0173948f94284b014b02908c01629443027879948c027433944b018c0161944e87948c046c6f6e6794582c010000' +
  '7a'.repeat(300) +
  '94752e';
// {'ba': bytearray(b'qq')}
const P5 = '80059515000000000000007d948c02626194960200000000000000717194732e';

describe('unpickle', () => {
  it('reads protocol 0 (text opcodes, long ints, raw-unicode-escape strings)', () => {
    const v = unpickle(hex(P0)) as PickleDict;
    expect(v).toBeInstanceOf(PickleDict);
    expect([...v.keys()]).toEqual(['a', 'b', 'big', 'neg', 'u']);
    expect(v.get('a')).toEqual([1, -2, 2.5, 'x', null, true, false]);
    expect(v.get('b')).toEqual([1]);
    expect(v.get('big')).toBe(2n ** 70n);
    expect(v.get('neg')).toBe(-300000);
    expect(v.get('u')).toBe('é✓');
  });
  it('reads protocol 2 (OrderedDict, _codecs bytes, sets, shared refs, LONG1, BINFLOAT, BININT2/BININT)', () => {
    const v = unpickle(hex(P2)) as PickleDict;
    const od = v.get('od') as PickleDict;
    expect(od.className).toBe('collections.OrderedDict');
    expect([...od.entries()]).toEqual([
      ['k', 1],
      ['j', [1, 2, 3]],
    ]);
    expect(v.get('bytes')).toEqual(new Uint8Array([0, 255, 97, 98]));
    expect(v.get('set')).toEqual(new Set([3]));
    const same = v.get('same') as unknown[][];
    expect(same[0]).toEqual([1, 2]);
    expect(same[0]).toBe(same[1]); // memo keeps identity
    expect(v.get('big')).toBe(-(2n ** 70n));
    expect(v.get('f')).toBe(1e-300);
    expect(v.get('i2')).toBe(40000);
    expect(v.get('i4')).toBe(-5);
  });
  it('reads protocol 4 (FRAME, MEMOIZE, STACK_GLOBAL, NEWOBJ + BUILD, sets, BINBYTES) and never runs classes', () => {
    const v = unpickle(hex(P4)) as PickleDict;
    const ns = v.get('ns') as PickleObject;
    expect(ns).toBeInstanceOf(PickleObject);
    expect(ns.cls).toEqual(new PickleGlobal('argparse', 'Namespace'));
    expect(ns.get('model')).toBe('vit');
    expect(ns.get('lr')).toBe(0.5);
    expect(v.get('fs')).toEqual(new Set([7]));
    expect(v.get('s')).toEqual(new Set([1, 2]));
    expect(v.get('b')).toEqual(new Uint8Array([120, 121]));
    expect(v.get('t3')).toEqual([1, 'a', null]);
    expect(v.get('long')).toBe('z'.repeat(300));
  });
  it('reads protocol 5 BYTEARRAY8', () => {
    expect((unpickle(hex(P5)) as PickleDict).get('ba')).toEqual(new Uint8Array([113, 113]));
  });
  it('lets a reduce hook build known globals and falls back to opaque objects', () => {
    // GLOBAL 'm f', (1,), REDUCE, then GLOBAL 'm g', (), REDUCE in a tuple.
    const enc = (s: string): number[] => [...new TextEncoder().encode(s)];
    const data = new Uint8Array([0x80, 2, 0x63, ...enc('m\nf\n'), 0x4b, 1, 0x85, 0x52, 0x63, ...enc('m\ng\n'), 0x29, 0x52, 0x86, 0x2e]);
    const v = unpickle(data, { reduce: (g, args) => (g.name === 'f' ? { made: args } : NOT_HANDLED) }) as unknown[];
    expect(v[0]).toEqual({ made: [1] });
    expect(v[1]).toBeInstanceOf(PickleObject);
    expect((v[1] as PickleObject).cls.qualifiedName).toBe('m.g');
  });
  it('rejects truncated, corrupt and out-of-band pickles with the label in the message', () => {
    const p2 = hex(P2);
    expect(() => unpickle(p2.subarray(0, 60), { label: 'ckpt.pth' })).toThrow(PthError);
    expect(() => unpickle(p2.subarray(0, 60), { label: 'ckpt.pth' })).toThrow(/^ckpt\.pth: the pickle is truncated/);
    expect(() => unpickle(new Uint8Array([0x80, 2, 0xff]), { label: 'x.pkl' })).toThrow(/x\.pkl: unknown pickle opcode 0xff/);
    expect(() => unpickle(new Uint8Array([0x80, 2, 0x68, 5, 0x2e]), { label: 'x.pkl' })).toThrow(/memo key 5/);
    expect(() => unpickle(new Uint8Array([0x80, 2, 0x4e, 0x51, 0x2e]), { label: 'x.pkl' })).toThrow(/persistent id/);
    expect(() => unpickle(new Uint8Array([0x80, 5, 0x97, 0x2e]), { label: 'x.pkl' })).toThrow(/out-of-band/);
    expect(() => unpickle(new Uint8Array([0x80, 2, 0x4e, 0x4e, 0x2e]), { label: 'x.pkl' })).toThrow(/STOP with 2 values/);
    expect(() => unpickle(new Uint8Array([0x80, 2, 0x30, 0x2e]), { label: 'x.pkl' })).toThrow(/stack underflow/);
  });
});
