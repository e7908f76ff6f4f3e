/**
 * AMF3 (Adobe AMF 3 specification): the encoding Flash uses with objectEncoding 3, reached in
 * RTMP through AMF0's avmplus switch marker (0x11) inside command (17) and data (15) messages.
 *
 * AMF3 compresses repeats with three tables: strings, complex objects and traits. A decoder
 * or encoder instance is one table context (one message), so keep one per payload.
 */
import { TsrsError } from '../../core/errors.js';
import {
  AMF_MAX_DEPTH,
  AmfEcmaArray,
  AmfTypedObject,
  AmfUnsupported,
  AmfXml,
  AmfXmlDocument,
  setAmfProperty,
  type Amf3Traits,
  type AmfObject,
  type AmfValue,
} from './amf-types.js';
import { ByteCursor } from './byte-cursor.js';
import { ByteWriter } from '../../kernel/byte-writer.js';

export const Amf3Marker = {
  Undefined: 0x00,
  Null: 0x01,
  False: 0x02,
  True: 0x03,
  Integer: 0x04,
  Double: 0x05,
  String: 0x06,
  XmlDocument: 0x07,
  Date: 0x08,
  Array: 0x09,
  Object: 0x0a,
  Xml: 0x0b,
  ByteArray: 0x0c,
  VectorInt: 0x0d,
  VectorUint: 0x0e,
  VectorDouble: 0x0f,
  VectorObject: 0x10,
  Dictionary: 0x11,
} as const;

/** U29 is 29 bits; AMF3 integers are those bits read as two's complement. */
const U29_MAX = 0x1fffffff;
export const AMF3_INT_MIN = -0x10000000;
export const AMF3_INT_MAX = 0x0fffffff;

interface TraitsInfo extends Amf3Traits {
  className: string;
}

export class Amf3Decoder {
  private readonly strings: string[] = [];
  private readonly objects: AmfValue[] = [];
  private readonly traitsTable: TraitsInfo[] = [];

  constructor(readonly cursor: ByteCursor) {}

  /** Reads one value; `depth` is the nesting so far (the AMF0 caller passes its own). */
  readValue(depth = 0): AmfValue {
    const c = this.cursor;
    const at = c.pos;
    const marker = c.u8('amf3 marker');
    switch (marker) {
      case Amf3Marker.Undefined:
        return undefined;
      case Amf3Marker.Null:
        return null;
      case Amf3Marker.False:
        return false;
      case Amf3Marker.True:
        return true;
      case Amf3Marker.Integer: {
        const v = this.readU29('amf3 integer');
        return v & 0x10000000 ? v - 0x20000000 : v;
      }
      case Amf3Marker.Double:
        return c.f64('amf3 double');
      case Amf3Marker.String:
        return this.readString('amf3 string');
      case Amf3Marker.XmlDocument:
        return this.readXml('amf3 xml-document', (s) => new AmfXmlDocument(s));
      case Amf3Marker.Xml:
        return this.readXml('amf3 xml', (s) => new AmfXml(s));
      case Amf3Marker.Date:
        return this.readDate();
      case Amf3Marker.Array:
        return this.readArray(depth);
      case Amf3Marker.Object:
        return this.readObject(depth);
      case Amf3Marker.ByteArray:
        return this.readByteArray();
      default:
        throw c.error(`amf3: unsupported marker 0x${marker.toString(16).padStart(2, '0')}`, at);
    }
  }

  private readU29(what: string): number {
    const c = this.cursor;
    let value = 0;
    for (let i = 0; i < 3; i++) {
      const b = c.u8(what);
      value = (value << 7) | (b & 0x7f);
      if ((b & 0x80) === 0) return value;
    }
    // The fourth byte carries a full 8 bits.
    return (value << 8) | c.u8(what);
  }

  /** UTF-8-vr: an inline string (added to the string table unless empty) or a reference. */
  private readString(what: string): string {
    const c = this.cursor;
    const at = c.pos;
    const header = this.readU29(what);
    if ((header & 1) === 0) {
      const index = header >>> 1;
      const s = this.strings[index];
      if (s === undefined) throw c.error(`${what}: string reference ${index} out of ${this.strings.length}`, at);
      return s;
    }
    const length = header >>> 1;
    if (length === 0) return '';
    const s = c.utf8(length, what);
    this.strings.push(s);
    return s;
  }

  /**
   * Reads the U29 header shared by object-table types: either a reference (low bit 0), which
   * is returned as `{ ref }`, or the inline value's length/count (`{ inline }`).
   */
  private readObjectHeader(what: string): { ref: AmfValue } | { inline: number } {
    const c = this.cursor;
    const at = c.pos;
    const header = this.readU29(what);
    if ((header & 1) === 0) {
      const index = header >>> 1;
      if (index >= this.objects.length) {
        throw c.error(`${what}: object reference ${index} out of ${this.objects.length}`, at);
      }
      return { ref: this.objects[index] };
    }
    return { inline: header >>> 1 };
  }

  private readXml(what: string, wrap: (xml: string) => AmfValue): AmfValue {
    const header = this.readObjectHeader(what);
    if ('ref' in header) return header.ref;
    const value = wrap(this.cursor.utf8(header.inline, what));
    this.objects.push(value);
    return value;
  }

  private readDate(): AmfValue {
    const header = this.readObjectHeader('amf3 date');
    if ('ref' in header) return header.ref;
    const value = new Date(this.cursor.f64('amf3 date'));
    this.objects.push(value);
    return value;
  }

  private readByteArray(): AmfValue {
    const header = this.readObjectHeader('amf3 byte-array');
    if ('ref' in header) return header.ref;
    const value = this.cursor.bytes(header.inline, 'amf3 byte-array');
    this.objects.push(value);
    return value;
  }

  private checkDepth(depth: number, what: string): void {
    if (depth >= AMF_MAX_DEPTH) throw this.cursor.error(`${what}: nesting deeper than ${AMF_MAX_DEPTH}`);
  }

  private readArray(depth: number): AmfValue {
    const c = this.cursor;
    const header = this.readObjectHeader('amf3 array');
    if ('ref' in header) return header.ref;
    this.checkDepth(depth, 'amf3 array');
    const denseCount = header.inline;
    // Every dense element takes at least one byte: a larger count is a lie, not a reason to allocate.
    if (denseCount > c.remaining) throw c.error(`amf3 array: ${denseCount} elements but ${c.remaining} bytes left`);

    let key = this.readString('amf3 array key');
    let dense: AmfValue[];
    let result: AmfValue;
    if (key === '') {
      dense = [];
      result = dense;
      this.objects.push(result);
    } else {
      const mixed = new AmfEcmaArray({}, []);
      result = mixed;
      this.objects.push(result);
      while (key !== '') {
        setAmfProperty(mixed.properties, key, this.readValue(depth + 1));
        key = this.readString('amf3 array key');
      }
      dense = mixed.dense;
      if (denseCount > c.remaining) throw c.error(`amf3 array: ${denseCount} elements but ${c.remaining} bytes left`);
    }
    for (let i = 0; i < denseCount; i++) dense.push(this.readValue(depth + 1));
    return result;
  }

  private readTraits(header: number): TraitsInfo {
    const c = this.cursor;
    if ((header & 2) === 0) {
      const index = header >>> 2;
      const traits = this.traitsTable[index];
      if (!traits) throw c.error(`amf3 object: traits reference ${index} out of ${this.traitsTable.length}`);
      return traits;
    }
    if ((header & 4) !== 0) {
      const className = this.readString('amf3 object class name');
      throw c.error(`amf3 object: externalizable class "${className}" is not supported`);
    }
    const dynamic = (header & 8) !== 0;
    const sealedCount = header >>> 4;
    const className = this.readString('amf3 object class name');
    // Each sealed name takes at least one byte.
    if (sealedCount > c.remaining) throw c.error(`amf3 object: ${sealedCount} sealed members but ${c.remaining} bytes left`);
    const sealed: string[] = [];
    for (let i = 0; i < sealedCount; i++) sealed.push(this.readString('amf3 object member name'));
    const traits: TraitsInfo = { className, sealed, dynamic };
    this.traitsTable.push(traits);
    return traits;
  }

  private readObject(depth: number): AmfValue {
    const c = this.cursor;
    const at = c.pos;
    const header = this.readU29('amf3 object');
    if ((header & 1) === 0) {
      const index = header >>> 1;
      if (index >= this.objects.length) throw c.error(`amf3 object: object reference ${index} out of ${this.objects.length}`, at);
      return this.objects[index];
    }
    this.checkDepth(depth, 'amf3 object');
    const traits = this.readTraits(header);
    const properties: AmfObject = {};
    // Anonymous dynamic objects without sealed members are plain objects; anything else keeps its traits.
    const value: AmfValue =
      traits.className === '' && traits.sealed.length === 0 && traits.dynamic
        ? properties
        : new AmfTypedObject(traits.className, properties, { sealed: traits.sealed, dynamic: traits.dynamic });
    this.objects.push(value);
    for (const name of traits.sealed) setAmfProperty(properties, name, this.readValue(depth + 1));
    if (traits.dynamic) {
      for (let key = this.readString('amf3 object key'); key !== ''; key = this.readString('amf3 object key')) {
        setAmfProperty(properties, key, this.readValue(depth + 1));
      }
    }
    return value;
  }
}

export class Amf3Encoder {
  private readonly strings = new Map<string, number>();
  private readonly objects = new Map<object, number>();
  private readonly traitsTable = new Map<string, number>();

  constructor(readonly out: ByteWriter = new ByteWriter()) {}

  writeValue(value: AmfValue, depth = 0): this {
    const out = this.out;
    if (value === undefined || value instanceof AmfUnsupported) {
      out.u8(Amf3Marker.Undefined);
    } else if (value === null) {
      out.u8(Amf3Marker.Null);
    } else if (typeof value === 'boolean') {
      out.u8(value ? Amf3Marker.True : Amf3Marker.False);
    } else if (typeof value === 'number') {
      this.writeNumber(value);
    } else if (typeof value === 'string') {
      out.u8(Amf3Marker.String);
      this.writeString(value);
    } else if (typeof value !== 'object') {
      throw new TsrsError('RtmpAmf0Encode', `amf3: cannot encode a ${typeof value}`);
    } else {
      this.writeComplex(value, depth);
    }
    return this;
  }

  toBuffer(): Buffer {
    return this.out.toBuffer();
  }

  private writeNumber(v: number): void {
    if (Number.isInteger(v) && v >= AMF3_INT_MIN && v <= AMF3_INT_MAX && !Object.is(v, -0)) {
      this.out.u8(Amf3Marker.Integer);
      this.writeU29(v & U29_MAX);
    } else {
      this.out.u8(Amf3Marker.Double);
      this.out.f64(v);
    }
  }

  private writeU29(v: number): void {
    const out = this.out;
    if (v < 0 || v > U29_MAX) throw new TsrsError('RtmpAmf0Encode', `amf3: ${v} does not fit in U29`);
    if (v < 0x80) {
      out.u8(v);
    } else if (v < 0x4000) {
      out.u8((v >>> 7) | 0x80);
      out.u8(v & 0x7f);
    } else if (v < 0x200000) {
      out.u8((v >>> 14) | 0x80);
      out.u8(((v >>> 7) & 0x7f) | 0x80);
      out.u8(v & 0x7f);
    } else {
      out.u8((v >>> 22) | 0x80);
      out.u8(((v >>> 15) & 0x7f) | 0x80);
      out.u8(((v >>> 8) & 0x7f) | 0x80);
      out.u8(v & 0xff);
    }
  }

  /** Inline byte length with the low "inline" bit set; the length must fit in 28 bits. */
  private writeInlineLength(length: number, what: string): void {
    if (length > U29_MAX >>> 1) throw new TsrsError('RtmpAmf0Encode', `amf3: ${what} of ${length} is too long`);
    this.writeU29((length << 1) | 1);
  }

  private writeString(s: string): void {
    if (s === '') {
      this.writeU29(1);
      return;
    }
    const index = this.strings.get(s);
    if (index !== undefined) {
      this.writeU29(index << 1);
      return;
    }
    this.strings.set(s, this.strings.size);
    this.writeInlineLength(Buffer.byteLength(s, 'utf8'), 'string');
    this.out.utf8(s);
  }

  /** Writes a reference if `value` was already sent; otherwise registers it and returns false. */
  private writeReference(value: object): boolean {
    const index = this.objects.get(value);
    if (index !== undefined) {
      this.writeU29(index << 1);
      return true;
    }
    this.objects.set(value, this.objects.size);
    return false;
  }

  private writeComplex(value: object, depth: number): void {
    const out = this.out;
    if (value instanceof Date) {
      out.u8(Amf3Marker.Date);
      if (this.writeReference(value)) return;
      this.writeU29(1);
      out.f64(value.getTime());
    } else if (value instanceof Uint8Array) {
      out.u8(Amf3Marker.ByteArray);
      if (this.writeReference(value)) return;
      this.writeInlineLength(value.length, 'byte-array');
      out.bytes(value);
    } else if (value instanceof AmfXmlDocument || value instanceof AmfXml) {
      out.u8(value instanceof AmfXml ? Amf3Marker.Xml : Amf3Marker.XmlDocument);
      if (this.writeReference(value)) return;
      this.writeInlineLength(Buffer.byteLength(value.xml, 'utf8'), 'xml');
      out.utf8(value.xml);
    } else if (Array.isArray(value)) {
      out.u8(Amf3Marker.Array);
      if (this.writeReference(value)) return;
      this.checkDepth(depth);
      this.writeInlineLength(value.length, 'array');
      this.writeU29(1); // no associative part
      for (let i = 0; i < value.length; i++) this.writeValue(value[i], depth + 1);
    } else if (value instanceof AmfEcmaArray) {
      out.u8(Amf3Marker.Array);
      if (this.writeReference(value)) return;
      this.checkDepth(depth);
      this.writeInlineLength(value.dense.length, 'array');
      this.writeDynamicMembers(value.properties, Object.keys(value.properties), depth);
      for (const item of value.dense) this.writeValue(item, depth + 1);
    } else if (value instanceof AmfTypedObject) {
      out.u8(Amf3Marker.Object);
      if (this.writeReference(value)) return;
      this.checkDepth(depth);
      const traits = value.amf3Traits ?? { sealed: Object.keys(value.properties), dynamic: false };
      this.writeObjectBody(value.className, traits, value.properties, depth);
    } else {
      out.u8(Amf3Marker.Object);
      if (this.writeReference(value)) return;
      this.checkDepth(depth);
      this.writeObjectBody('', { sealed: [], dynamic: true }, value as AmfObject, depth);
    }
  }

  private checkDepth(depth: number): void {
    if (depth >= AMF_MAX_DEPTH) throw new TsrsError('RtmpAmf0Encode', `amf3: nesting deeper than ${AMF_MAX_DEPTH}`);
  }

  private writeObjectBody(className: string, traits: Amf3Traits, properties: AmfObject, depth: number): void {
    const key = `${className}\u0000${traits.dynamic ? 1 : 0}\u0000${traits.sealed.join('\u0000')}`;
    const index = this.traitsTable.get(key);
    if (index !== undefined) {
      this.writeU29((index << 2) | 1);
    } else {
      this.traitsTable.set(key, this.traitsTable.size);
      if (traits.sealed.length > U29_MAX >>> 4) throw new TsrsError('RtmpAmf0Encode', 'amf3: too many sealed members');
      this.writeU29((traits.sealed.length << 4) | (traits.dynamic ? 8 : 0) | 3);
      this.writeString(className);
      for (const name of traits.sealed) this.writeString(name);
    }
    for (const name of traits.sealed) this.writeValue(properties[name], depth + 1);
    const sealed = new Set(traits.sealed);
    const dynamicKeys = Object.keys(properties).filter((k) => !sealed.has(k));
    if (traits.dynamic) {
      this.writeDynamicMembers(properties, dynamicKeys, depth);
    } else if (dynamicKeys.length > 0) {
      throw new TsrsError('RtmpAmf0Encode', `amf3: sealed class "${className}" has extra member "${dynamicKeys[0]}"`);
    }
  }

  /** name/value pairs closed by the empty string; an empty name cannot be sent (it is the terminator). */
  private writeDynamicMembers(properties: AmfObject, keys: string[], depth: number): void {
    for (const k of keys) {
      if (k === '') throw new TsrsError('RtmpAmf0Encode', 'amf3: an empty member name cannot be encoded');
      this.writeString(k);
      this.writeValue(properties[k], depth + 1);
    }
    this.writeU29(1);
  }
}

/** Decodes every AMF3 value in `buf` (one table context for the whole buffer). */
export function decodeAmf3(buf: Buffer): AmfValue[] {
  const decoder = new Amf3Decoder(new ByteCursor(buf));
  const values: AmfValue[] = [];
  while (decoder.cursor.remaining > 0) values.push(decoder.readValue());
  return values;
}

/** Encodes values with one AMF3 table context. */
export function encodeAmf3(...values: AmfValue[]): Buffer {
  const encoder = new Amf3Encoder();
  for (const v of values) encoder.writeValue(v);
  return encoder.toBuffer();
}
