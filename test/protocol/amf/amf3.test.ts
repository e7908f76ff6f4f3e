import { describe, expect, it } from 'vitest';
import { TsrsError } from '../../../src/core/errors.js';
import { decodeAll, encodeAmf0 } from '../../../src/protocol/amf/amf0.js';
import { Amf3Decoder, Amf3Encoder, decodeAmf3, encodeAmf3 } from '../../../src/protocol/amf/amf3.js';
import {
  AmfEcmaArray,
  AmfTypedObject,
  AmfXml,
  AmfXmlDocument,
  type AmfObject,
  type AmfValue,
} from '../../../src/protocol/amf/amf-types.js';
import { ByteCursor } from '../../../src/protocol/amf/byte-cursor.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

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

const roundTrip = (...values: AmfValue[]): AmfValue[] => decodeAmf3(encodeAmf3(...values));

describe('AMF3 integers (U29)', () => {
  const cases: [number, string][] = [
    [0, '04 00'],
    [127, '04 7f'],
    [128, '04 81 00'],
    [16383, '04 ff 7f'],
    [16384, '04 81 80 00'],
    [0x1fffff, '04 ff ff 7f'],
    [0x200000, '04 80 c0 80 00'],
    [0x0fffffff, '04 bf ff ff ff'],
    [-1, '04 ff ff ff ff'],
    [-0x10000000, '04 c0 80 80 00'],
  ];
  it.each(cases)('%d is %s', (value, bytes) => {
    expect(encodeAmf3(value)).toEqual(hex(bytes));
    expect(decodeAmf3(hex(bytes))).toEqual([value]);
  });

  it('writes out-of-range, fractional and negative zero numbers as doubles', () => {
    expect(encodeAmf3(0x10000000)).toEqual(hex('05 41b0000000000000'));
    expect(encodeAmf3(-0x10000001)[0]).toBe(0x05);
    expect(encodeAmf3(1.5)).toEqual(hex('05 3ff8000000000000'));
    expect(Object.is(roundTrip(-0)[0], -0)).toBe(true);
    expect(roundTrip(2 ** 40, NaN, -Infinity)).toEqual([2 ** 40, NaN, -Infinity]);
  });
});

describe('AMF3 encoding (golden bytes)', () => {
  it('writes scalars', () => {
    expect(encodeAmf3(undefined, null, false, true)).toEqual(hex('00 01 02 03'));
    expect(encodeAmf3('')).toEqual(hex('06 01'));
  });

  it('uses the string table for repeats (never for the empty string)', () => {
    expect(encodeAmf3(['abc', 'abc', '', ''])).toEqual(hex('09 09 01 06 07 616263 06 00 06 01 06 01'));
  });

  it('writes anonymous objects with dynamic traits and reuses the traits', () => {
    expect(encodeAmf3({ a: 1 })).toEqual(hex('0a 0b 01 03 61 04 01 01'));
    // Array is object 0; first object 1 inline; second object uses traits ref 0 and string ref 0 ("a").
    expect(encodeAmf3([{ a: 1 }, { a: 2 }])).toEqual(hex('09 05 01  0a 0b 01 03 61 04 01 01  0a 01 00 04 02 01'));
  });

  it('writes a repeated object as an object reference', () => {
    const o = {};
    expect(encodeAmf3([o, o])).toEqual(hex('09 05 01 0a 0b 01 01 0a 02'));
  });

  it('writes sealed typed objects', () => {
    // traits: 2 sealed, not dynamic: (2 << 4) | 3 = 0x23; class "P"; names x, y; values.
    expect(encodeAmf3(new AmfTypedObject('P', { x: 1, y: 2 }))).toEqual(hex('0a 23 03 50 03 78 03 79 04 01 04 02'));
  });

  it('writes dates, byte arrays, xml and mixed arrays', () => {
    expect(encodeAmf3(new Date(1000))).toEqual(hex('08 01 408f400000000000'));
    expect(encodeAmf3(Buffer.from([0xaa, 0xbb]))).toEqual(hex('0c 05 aabb'));
    expect(encodeAmf3(new AmfXml('<a/>'))).toEqual(hex('0b 09 3c612f3e'));
    expect(encodeAmf3(new AmfXmlDocument('<a/>'))).toEqual(hex('07 09 3c612f3e'));
    expect(encodeAmf3(new AmfEcmaArray({ k: true }, [null]))).toEqual(hex('09 03 03 6b 03 01 01'));
  });
});

describe('AMF3 round trip', () => {
  it('keeps every type', () => {
    const date = new Date(1700000000000);
    const values: AmfValue[] = [
      undefined,
      null,
      true,
      false,
      42,
      -42,
      3.25,
      'héllo ✓',
      '',
      date,
      Buffer.from('raw bytes'),
      new AmfXml('<x/>'),
      new AmfXmlDocument('<doc/>'),
      [1, 'two', [3]],
      { a: { b: { c: [] } }, s: 'x' },
    ];
    expect(roundTrip(...values)).toEqual(values);
  });

  it('keeps mixed (associative + dense) arrays', () => {
    const [mixed] = roundTrip(new AmfEcmaArray({ name: 'n', count: 2 }, ['a', 'b'])) as [AmfEcmaArray];
    expect(mixed).toBeInstanceOf(AmfEcmaArray);
    expect(mixed.properties).toEqual({ name: 'n', count: 2 });
    expect(mixed.dense).toEqual(['a', 'b']);
  });

  it('keeps typed objects with their traits', () => {
    const dynamicTyped = new AmfTypedObject('com.x.Msg', { id: 1, body: 'b', extra: true }, { sealed: ['id', 'body'], dynamic: true });
    const [decoded] = roundTrip(dynamicTyped) as [AmfTypedObject];
    expect(decoded).toBeInstanceOf(AmfTypedObject);
    expect(decoded.className).toBe('com.x.Msg');
    expect(decoded.properties).toEqual({ id: 1, body: 'b', extra: true });
    expect(decoded.amf3Traits).toEqual({ sealed: ['id', 'body'], dynamic: true });
    // Anonymous but with sealed members: stays a typed object with an empty class name.
    const [anonSealed] = roundTrip(new AmfTypedObject('', { a: 1 }, { sealed: ['a'], dynamic: false })) as [AmfTypedObject];
    expect(anonSealed).toBeInstanceOf(AmfTypedObject);
    expect(anonSealed.amf3Traits).toEqual({ sealed: ['a'], dynamic: false });
    // Re-encoding the decoded value gives identical bytes.
    const bytes = encodeAmf3(dynamicTyped, dynamicTyped, new AmfTypedObject('com.x.Msg', { id: 2, body: 'c' }, { sealed: ['id', 'body'], dynamic: true }));
    expect(encodeAmf3(...decodeAmf3(bytes))).toEqual(bytes);
  });

  it('keeps references: repeated strings, objects, dates, byte arrays and cycles', () => {
    const shared = { v: 1 };
    const date = new Date(7);
    const bytes = Buffer.from([1]);
    const [list] = roundTrip([shared, shared, date, date, bytes, bytes, 'rep', 'rep']) as [AmfValue[]];
    expect(list[0]).toEqual({ v: 1 });
    expect(list[1]).toBe(list[0]);
    expect(list[3]).toBe(list[2]);
    expect(list[5]).toBe(list[4]);
    expect(list[7]).toBe('rep');
    const cyclic: AmfObject = { name: 'loop' };
    cyclic.self = cyclic;
    const [back] = roundTrip(cyclic) as [AmfObject];
    expect(back.self).toBe(back);
    expect(back.name).toBe('loop');
  });

  it('is reachable from AMF0 through the switch marker', () => {
    const values = decodeAll(Buffer.concat([hex('02 0004'), Buffer.from('call'), hex('11'), encodeAmf3({ a: [1, 2] })]));
    expect(values).toEqual(['call', { a: [1, 2] }]);
  });

  it('decodes with an explicit cursor and offset', () => {
    const buf = Buffer.concat([hex('ffff'), encodeAmf3('x', 5)]);
    const d = new Amf3Decoder(new ByteCursor(buf, 2));
    expect(d.readValue()).toBe('x');
    expect(d.readValue()).toBe(5);
    expect(d.cursor.remaining).toBe(0);
  });

  it('reuses one table context across values of an encoder', () => {
    const e = new Amf3Encoder();
    e.writeValue('same').writeValue('same');
    expect(e.toBuffer()).toEqual(hex('06 09 73616d65 06 00'));
  });
});

describe('AMF3 decoding errors', () => {
  it('rejects references outside their tables', () => {
    expectDecodeError(() => decodeAmf3(hex('06 00'))); // string ref 0, empty table
    expectDecodeError(() => decodeAmf3(hex('0a 00'))); // object ref 0
    expectDecodeError(() => decodeAmf3(hex('09 02'))); // array ref 1
    expectDecodeError(() => decodeAmf3(hex('08 00')));
    expectDecodeError(() => decodeAmf3(hex('0c 04')));
    expectDecodeError(() => decodeAmf3(hex('0a 05 01'))); // traits ref 1
  });

  it('rejects externalizable objects, vectors and dictionaries', () => {
    expect(expectDecodeError(() => decodeAmf3(hex('0a 07 07 616263'))).message).toMatch(/externalizable class "abc"/);
    for (const m of ['0d', '0e', '0f', '10', '11', '12', 'ff']) expectDecodeError(() => decodeAmf3(hex(`${m} 01 00`)));
  });

  it('rejects counts and lengths longer than the input', () => {
    expectDecodeError(() => decodeAmf3(hex('09 bf ff ff ff 01'))); // 2^28 dense elements
    expectDecodeError(() => decodeAmf3(hex('06 bf ff ff ff 61')));
    expectDecodeError(() => decodeAmf3(hex('0c bf ff ff ff 00')));
    expectDecodeError(() => decodeAmf3(hex('0a bf ff ff f3 01'))); // huge sealed count
    expectDecodeError(() => decodeAmf3(hex('09 07 03 6b 01 01'))); // dense count 3, 1 byte left after assoc
  });

  it('limits nesting depth', () => {
    const nest = (n: number): Buffer => Buffer.concat([...Array<Buffer>(n).fill(hex('09 03 01')), hex('01')]);
    expect(decodeAmf3(nest(64))).toHaveLength(1);
    expect(expectDecodeError(() => decodeAmf3(nest(65))).message).toMatch(/nesting/);
    const deep: AmfValue[] = [];
    let cur = deep;
    for (let i = 0; i < 70; i++) {
      const next: AmfValue[] = [];
      cur.push(next);
      cur = next;
    }
    expect(() => encodeAmf3(deep)).toThrowError(TsrsError);
  });

  it('throws only TsrsError at every truncation', () => {
    const typed = new AmfTypedObject('T', { a: 1 }, { sealed: ['a'], dynamic: true });
    const obj = { s: 'str', n: 1.5, d: new Date(3), b: Buffer.from([1, 2, 3]) };
    const full = encodeAmf3([obj, obj, typed, typed, new AmfEcmaArray({ k: 'v' }, [1]), new AmfXml('<a/>'), 'str', -5, 1 << 20]);
    expect(decodeAmf3(full.subarray(0, 0))).toEqual([]);
    for (let n = 1; n < full.length; n++) expectDecodeError(() => decodeAmf3(full.subarray(0, n)));
    expect(decodeAmf3(full)).toHaveLength(1);
  });

  it('survives corrupted bytes with TsrsError or a value', () => {
    const full = encodeAmf3({ list: [1, 'a', { b: new Date(1) }], bytes: Buffer.from([1]) }, 'a');
    let seed = 99;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let i = 0; i < full.length; i++) {
      for (const b of [0x00, 0x01, 0x02, 0x09, 0x0a, 0x7f, 0x80, 0xff, rand() & 0xff]) {
        const copy = Buffer.from(full);
        copy[i] = b;
        try {
          decodeAmf3(copy);
        } catch (err) {
          expect(err).toBeInstanceOf(TsrsError);
        }
      }
    }
    for (let i = 0; i < 2000; i++) {
      const junk = Buffer.alloc(1 + (rand() % 64));
      for (let j = 0; j < junk.length; j++) junk[j] = rand() & (j % 2 ? 0xff : 0x0f);
      try {
        decodeAmf3(junk);
      } catch (err) {
        expect(err).toBeInstanceOf(TsrsError);
      }
    }
  });

  it('rejects values AMF3 cannot carry', () => {
    expect(() => encodeAmf3({ '': 1 })).toThrowError(TsrsError);
    expect(() => encodeAmf3(new AmfTypedObject('S', { a: 1, extra: 2 }, { sealed: ['a'], dynamic: false }))).toThrowError(TsrsError);
    expect(() => encodeAmf3((() => 0) as unknown as AmfValue)).toThrowError(TsrsError);
  });
});

describe('AMF0 payloads carrying AMF3', () => {
  it('round trips AMF3-only values through AMF0', () => {
    const values = [Buffer.from([1, 2, 3]), new AmfXml('<q/>')];
    expect(decodeAll(encodeAmf0(...values))).toEqual(values);
  });
});
