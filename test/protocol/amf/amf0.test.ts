import { describe, expect, it } from 'vitest';
import { TsrsError } from '../../../src/core/errors.js';
import { Amf0Decoder, Amf0Encoder, decodeAll, encodeAmf0 } from '../../../src/protocol/amf/amf0.js';
import {
  AmfDate,
  AmfEcmaArray,
  AmfTypedObject,
  AmfUnsupported,
  AmfXml,
  AmfXmlDocument,
  amfProperties,
  type AmfObject,
  type AmfValue,
} from '../../../src/protocol/amf/amf-types.js';

// Hand-written wire pieces, straight from the AMF0 spec (not from the encoder under test).
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 0xff]);
const utf8 = (s: string): Buffer => Buffer.concat([u16(Buffer.byteLength(s)), Buffer.from(s)]);
const str = (s: string): Buffer => Buffer.concat([hex('02'), utf8(s)]);
const num = (n: number): Buffer => {
  const b = Buffer.alloc(9);
  b[0] = 0x00;
  b.writeDoubleBE(n, 1);
  return b;
};
const bool = (v: boolean): Buffer => hex(v ? '0101' : '0100');
const OBJECT_END = hex('000009');

function expectDecodeError(run: () => unknown): TsrsError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(TsrsError);
    expect((err as TsrsError).codeName).toBe('RtmpAmf0Decode');
    return err as TsrsError;
  }
  throw new Error('expected a decode error');
}

function roundTrip(value: AmfValue): AmfValue {
  const [decoded, ...rest] = decodeAll(encodeAmf0(value));
  expect(rest).toHaveLength(0);
  return decoded;
}

describe('AMF0 encoding (golden bytes)', () => {
  it('writes scalars as the spec lays them out', () => {
    expect(encodeAmf0(1)).toEqual(hex('00 3ff0000000000000'));
    expect(encodeAmf0(true, false)).toEqual(hex('0101 0100'));
    expect(encodeAmf0('connect')).toEqual(hex('02 0007 636f6e6e656374'));
    expect(encodeAmf0(null, undefined)).toEqual(hex('05 06'));
    expect(encodeAmf0(AmfUnsupported.instance)).toEqual(hex('0d'));
  });

  it('writes an object with its end marker and keys in insertion order', () => {
    expect(encodeAmf0({ b: 1, a: 'x' })).toEqual(
      Buffer.concat([hex('03'), utf8('b'), num(1), utf8('a'), str('x'), OBJECT_END]),
    );
  });

  it('writes ECMA arrays, strict arrays, dates, typed objects and xml documents', () => {
    expect(encodeAmf0(new AmfEcmaArray({ w: 2 }))).toEqual(
      Buffer.concat([hex('08 00000001'), utf8('w'), num(2), OBJECT_END]),
    );
    expect(encodeAmf0([1, 'a'])).toEqual(Buffer.concat([hex('0a 00000002'), num(1), str('a')]));
    expect(encodeAmf0(new AmfDate(1000, -60))).toEqual(hex('0b 408f400000000000 ffc4'));
    expect(encodeAmf0(new Date(0))).toEqual(hex('0b 0000000000000000 0000'));
    expect(encodeAmf0(new AmfTypedObject('Pt', { x: 1 }))).toEqual(
      Buffer.concat([hex('10'), utf8('Pt'), utf8('x'), num(1), OBJECT_END]),
    );
    expect(encodeAmf0(new AmfXmlDocument('<a/>'))).toEqual(Buffer.concat([hex('0f 00000004'), Buffer.from('<a/>')]));
  });

  it('switches to long string above 65535 bytes', () => {
    const long = 'x'.repeat(70000);
    const bytes = encodeAmf0(long);
    expect(bytes[0]).toBe(0x0c);
    expect(bytes.readUInt32BE(1)).toBe(70000);
    expect(encodeAmf0('y'.repeat(65535))[0]).toBe(0x02);
  });

  it('switches to AMF3 for a byte array', () => {
    expect(encodeAmf0(Buffer.from([1, 2]))).toEqual(hex('11 0c 05 0102'));
  });
});

describe('AMF0 round trip', () => {
  it('keeps every type', () => {
    for (const v of [0, -1.5, 1e300, Number.MAX_SAFE_INTEGER, Infinity, true, false, '', 'héllo ✓', null, undefined]) {
      expect(roundTrip(v)).toBe(v);
    }
    expect(roundTrip(NaN)).toBeNaN();
    const long = 'é'.repeat(40000); // 80000 bytes: a long string
    expect(roundTrip(long)).toBe(long);
    expect(roundTrip(AmfUnsupported.instance)).toBe(AmfUnsupported.instance);
    expect(roundTrip(new AmfXmlDocument('<x y="1"/>'))).toEqual(new AmfXmlDocument('<x y="1"/>'));
    expect(roundTrip(new AmfXml('<e/>'))).toEqual(new AmfXml('<e/>'));
    expect(roundTrip(Buffer.from('bytes'))).toEqual(Buffer.from('bytes'));
  });

  it('keeps dates with their timezone field', () => {
    const d = roundTrip(new AmfDate(1700000000123, 120));
    expect(d).toBeInstanceOf(Date);
    expect((d as AmfDate).getTime()).toBe(1700000000123);
    expect((d as AmfDate).timezoneMinutes).toBe(120);
  });

  it('keeps nested objects, arrays and key order', () => {
    const value: AmfObject = {
      zeta: 1,
      alpha: { inner: [1, 'two', { three: 3 }, [], {}], flag: true },
      list: [null, undefined, new Date(5)],
      empty: '',
      '': 'empty key',
    };
    const decoded = roundTrip(value) as AmfObject;
    expect(decoded).toEqual(value);
    expect(Object.keys(decoded)).toEqual(['zeta', 'alpha', 'list', 'empty', '']);
  });

  it('keeps ECMA arrays distinct from objects', () => {
    const ecma = new AmfEcmaArray({ duration: 0, width: 1280, encoder: 'Lavf' });
    const decoded = roundTrip(ecma);
    expect(decoded).toBeInstanceOf(AmfEcmaArray);
    expect((decoded as AmfEcmaArray).properties).toEqual(ecma.properties);
    expect(amfProperties(decoded)).toEqual(ecma.properties);
    // A dense part is written as index keys.
    const mixed = roundTrip(new AmfEcmaArray({ k: 'v' }, ['a', 'b'])) as AmfEcmaArray;
    expect(mixed.properties).toEqual({ 0: 'a', 1: 'b', k: 'v' });
  });

  it('keeps strict arrays and typed objects', () => {
    expect(roundTrip([1, [2, [3]], 'x'])).toEqual([1, [2, [3]], 'x']);
    const typed = roundTrip(new AmfTypedObject('com.example.Point', { x: 1, y: 2 })) as AmfTypedObject;
    expect(typed).toBeInstanceOf(AmfTypedObject);
    expect(typed.className).toBe('com.example.Point');
    expect(typed.properties).toEqual({ x: 1, y: 2 });
  });

  it('decodes several values in sequence with Amf0Decoder', () => {
    const d = new Amf0Decoder(encodeAmf0('a', 2, { c: 3 }));
    expect(d.readValue()).toBe('a');
    expect(d.offset).toBe(4);
    expect(d.readValue()).toBe(2);
    expect(d.readValue()).toEqual({ c: 3 });
    expect(d.remaining).toBe(0);
  });

  it('encodes through a reusable encoder', () => {
    expect(new Amf0Encoder().write('a').write(1).toBuffer()).toEqual(encodeAmf0('a', 1));
  });
});

describe('AMF0 decoding', () => {
  it('decodes a connect command as FFmpeg sends it (golden vector built from the spec)', () => {
    const payload = Buffer.concat([
      hex('02 0007'), Buffer.from('connect'),
      hex('00 3ff0000000000000'), // transaction id 1
      hex('03'),
      hex('0003'), Buffer.from('app'), hex('02 0004'), Buffer.from('live'),
      hex('0004'), Buffer.from('type'), hex('02 000a'), Buffer.from('nonprivate'),
      hex('0008'), Buffer.from('flashVer'), hex('02 001f'), Buffer.from('FMLE/3.0 (compatible; FMSc/1.0)'),
      hex('0005'), Buffer.from('tcUrl'), hex('02 001a'), Buffer.from('rtmp://127.0.0.1:1935/live'),
      hex('0004'), Buffer.from('fpad'), hex('01 00'),
      hex('000c'), Buffer.from('capabilities'), hex('00 402e000000000000'), // 15
      hex('000b'), Buffer.from('audioCodecs'), hex('00 40afce0000000000'), // 4071
      hex('000b'), Buffer.from('videoCodecs'), hex('00 406f800000000000'), // 252
      hex('0000 09'),
    ]);
    const values = decodeAll(payload);
    expect(values).toHaveLength(3);
    expect(values[0]).toBe('connect');
    expect(values[1]).toBe(1);
    const obj = values[2] as AmfObject;
    expect(obj).toEqual({
      app: 'live',
      type: 'nonprivate',
      flashVer: 'FMLE/3.0 (compatible; FMSc/1.0)',
      tcUrl: 'rtmp://127.0.0.1:1935/live',
      fpad: false,
      capabilities: 15,
      audioCodecs: 4071,
      videoCodecs: 252,
    });
    expect(Object.keys(obj)).toEqual(['app', 'type', 'flashVer', 'tcUrl', 'fpad', 'capabilities', 'audioCodecs', 'videoCodecs']);
    // And our encoder writes the same bytes back.
    expect(encodeAmf0(...values)).toEqual(payload);
  });

  it('resolves references to the referenced object', () => {
    // strict array [obj, ref 1]: the array itself is reference 0, the object reference 1.
    const bytes = Buffer.concat([hex('0a 00000002 03'), utf8('a'), num(1), OBJECT_END, hex('07 0001')]);
    const [array] = decodeAll(bytes) as [AmfValue[]];
    expect(array[0]).toEqual({ a: 1 });
    expect(array[1]).toBe(array[0]);
    // A reference to an object still being read yields a cycle, not a crash.
    const cyclic = Buffer.concat([hex('03'), utf8('self'), hex('07 0000'), OBJECT_END]);
    const [self] = decodeAll(cyclic) as [AmfObject];
    expect(self.self).toBe(self);
    // Typed objects and ECMA arrays count too.
    const typedRef = Buffer.concat([hex('10'), utf8('C'), OBJECT_END, hex('08 00000000'), OBJECT_END, hex('07 0001')]);
    const decoded = decodeAll(typedRef);
    expect(decoded[2]).toBe(decoded[1]);
    expectDecodeError(() => decodeAll(hex('07 0000')));
    expectDecodeError(() => decodeAll(Buffer.concat([hex('03'), OBJECT_END, hex('07 0001')])));
  });

  it('ignores an ECMA array count that lies', () => {
    const bytes = Buffer.concat([hex('08 00000000'), utf8('a'), num(1), utf8('b'), bool(true), OBJECT_END]);
    const [ecma] = decodeAll(bytes) as [AmfEcmaArray];
    expect(ecma.properties).toEqual({ a: 1, b: true });
  });

  it('decodes the AMF3 switch, sharing one AMF3 string table per message', () => {
    // 0x11 + AMF3 string "abc", then 0x11 + AMF3 string reference 0.
    expect(decodeAll(hex('11 06 07 616263 11 06 00'))).toEqual(['abc', 'abc']);
    expect(decodeAll(hex('11 04 7f 02 0001 61'))).toEqual([127, 'a']);
  });

  it('keeps a "__proto__" key as data', () => {
    const bytes = Buffer.concat([hex('03'), utf8('__proto__'), hex('03'), utf8('polluted'), bool(true), OBJECT_END, OBJECT_END]);
    const [obj] = decodeAll(bytes) as [AmfObject];
    expect(Object.keys(obj)).toEqual(['__proto__']);
    expect(({} as AmfObject).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
  });

  it('rejects unknown and misplaced markers', () => {
    expectDecodeError(() => decodeAll(hex('04'))); // movie clip (reserved)
    expectDecodeError(() => decodeAll(hex('0e'))); // record set (reserved)
    expectDecodeError(() => decodeAll(hex('12')));
    expectDecodeError(() => decodeAll(hex('ff')));
    const e = expectDecodeError(() => decodeAll(hex('09')));
    expect(e.message).toMatch(/object-end/);
    expectDecodeError(() => decodeAll(Buffer.concat([hex('03'), utf8('k'), hex('09'), OBJECT_END])));
  });

  it('rejects lengths longer than the input without allocating', () => {
    expectDecodeError(() => decodeAll(hex('0a ffffffff 05')));
    expectDecodeError(() => decodeAll(hex('0c ffffffff 61')));
    expectDecodeError(() => decodeAll(hex('0f ffffffff')));
    expectDecodeError(() => decodeAll(hex('02 ffff 61')));
    expectDecodeError(() => decodeAll(hex('10 ffff')));
  });

  it('limits nesting depth', () => {
    const nest = (n: number): Buffer => Buffer.concat([...Array<Buffer>(n).fill(hex('0a 00000001')), hex('05')]);
    expect(decodeAll(nest(64))).toHaveLength(1);
    expect(expectDecodeError(() => decodeAll(nest(65))).message).toMatch(/nesting/);
    const objects = (n: number): Buffer =>
      Buffer.concat([...Array<Buffer>(n).fill(Buffer.concat([hex('03'), utf8('k')])), hex('05'), ...Array<Buffer>(n).fill(OBJECT_END)]);
    expect(decodeAll(objects(64))).toHaveLength(1);
    expectDecodeError(() => decodeAll(objects(65)));
    expectDecodeError(() => decodeAll(objects(100000)));
  });

  it('throws only TsrsError at every truncation, and only mid-value', () => {
    const values: AmfValue[] = [
      'connect',
      1,
      { app: 'live', nested: { list: [1, true, null, undefined], when: new AmfDate(5, 1) }, ecma: new AmfEcmaArray({ a: 'b' }) },
      new AmfTypedObject('T', { x: 'y' }),
      'L'.repeat(70000),
      new AmfXmlDocument('<a/>'),
      Buffer.from([9, 9]),
    ];
    const full = encodeAmf0(...values);
    const boundaries = new Set<number>([0]);
    let at = 0;
    for (const v of values) boundaries.add((at += encodeAmf0(v).length));
    const longStart = encodeAmf0(...values.slice(0, 4)).length + 5;
    for (let n = 0; n < full.length; n++) {
      // Inside the long string's body every cut behaves alike: sample it.
      if (n > longStart && n < longStart + 70000 - 1 && n % 997 !== 0) continue;
      const prefix = full.subarray(0, n);
      if (boundaries.has(n)) {
        expect(decodeAll(prefix).length).toBeLessThan(values.length);
      } else {
        expectDecodeError(() => decodeAll(prefix));
      }
    }
  });

  it('survives corrupted bytes with TsrsError or a value', () => {
    const full = encodeAmf0('onMetaData', new AmfEcmaArray({ width: 1, title: 'x', nested: { a: [1, 2] } }));
    let seed = 12345;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let i = 0; i < full.length; i++) {
      for (const b of [0x00, 0x07, 0x09, 0x0a, 0x11, 0xff, rand() & 0xff]) {
        const copy = Buffer.from(full);
        copy[i] = b;
        try {
          decodeAll(copy);
        } catch (err) {
          expect(err).toBeInstanceOf(TsrsError);
        }
      }
    }
    for (let i = 0; i < 2000; i++) {
      const junk = Buffer.alloc(1 + (rand() % 64));
      for (let j = 0; j < junk.length; j++) junk[j] = rand() & 0x13; // mostly valid markers
      try {
        decodeAll(junk);
      } catch (err) {
        expect(err).toBeInstanceOf(TsrsError);
      }
    }
  });
});

describe('AMF0 encode errors', () => {
  const expectEncodeError = (run: () => unknown): void => {
    try {
      run();
    } catch (err) {
      expect(err).toBeInstanceOf(TsrsError);
      expect((err as TsrsError).codeName).toBe('RtmpAmf0Encode');
      return;
    }
    throw new Error('expected an encode error');
  };

  it('rejects cycles, non-AMF values and oversize names', () => {
    const cyclic: AmfObject = {};
    cyclic.self = cyclic;
    expectEncodeError(() => encodeAmf0(cyclic));
    expectEncodeError(() => encodeAmf0((() => 1) as unknown as AmfValue));
    expectEncodeError(() => encodeAmf0(10n as unknown as AmfValue));
    expectEncodeError(() => encodeAmf0({ ['k'.repeat(70000)]: 1 }));
    expectEncodeError(() => encodeAmf0(new AmfTypedObject('c'.repeat(70000))));
  });
});
