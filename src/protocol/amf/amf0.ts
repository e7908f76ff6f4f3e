/**
 * AMF0 (Adobe AMF 0 specification): the encoding of RTMP command (20) and data (18) messages.
 * The avmplus marker (0x11) switches one value to AMF3; that covers Flash clients that use
 * objectEncoding 3 (command 17 / data 15 messages).
 */
import { TsrsError } from '../../core/errors.js';
import {
  AMF_MAX_DEPTH,
  AmfDate,
  AmfEcmaArray,
  AmfTypedObject,
  AmfUnsupported,
  AmfXml,
  AmfXmlDocument,
  setAmfProperty,
  type AmfObject,
  type AmfValue,
} from './amf-types.js';
import { Amf3Decoder, Amf3Encoder } from './amf3.js';
import { ByteCursor } from './byte-cursor.js';
import { ByteWriter } from '../../kernel/byte-writer.js';

export const Amf0Marker = {
  Number: 0x00,
  Boolean: 0x01,
  String: 0x02,
  Object: 0x03,
  MovieClip: 0x04,
  Null: 0x05,
  Undefined: 0x06,
  Reference: 0x07,
  EcmaArray: 0x08,
  ObjectEnd: 0x09,
  StrictArray: 0x0a,
  Date: 0x0b,
  LongString: 0x0c,
  Unsupported: 0x0d,
  RecordSet: 0x0e,
  XmlDocument: 0x0f,
  TypedObject: 0x10,
  AvmPlus: 0x11,
} as const;

export class Amf0Decoder {
  readonly cursor: ByteCursor;
  /** Objects, typed objects, ECMA and strict arrays in order of appearance, for 0x07 references. */
  private readonly references: AmfValue[] = [];
  /** One AMF3 table context per message, shared by every 0x11 switch in it. */
  private amf3?: Amf3Decoder;

  constructor(buf: Buffer, offset = 0) {
    this.cursor = new ByteCursor(buf, offset);
  }

  get offset(): number {
    return this.cursor.pos;
  }

  get remaining(): number {
    return this.cursor.remaining;
  }

  readValue(depth = 0): AmfValue {
    const c = this.cursor;
    const at = c.pos;
    const marker = c.u8('amf0 marker');
    switch (marker) {
      case Amf0Marker.Number:
        return c.f64('amf0 number');
      case Amf0Marker.Boolean:
        return c.u8('amf0 boolean') !== 0;
      case Amf0Marker.String:
        return c.utf8(c.u16('amf0 string length'), 'amf0 string');
      case Amf0Marker.LongString:
        return c.utf8(c.u32('amf0 long string length'), 'amf0 long string');
      case Amf0Marker.Null:
        return null;
      case Amf0Marker.Undefined:
        return undefined;
      case Amf0Marker.Unsupported:
        return AmfUnsupported.instance;
      case Amf0Marker.XmlDocument:
        return new AmfXmlDocument(c.utf8(c.u32('amf0 xml-document length'), 'amf0 xml-document'));
      case Amf0Marker.Date: {
        const ms = c.f64('amf0 date');
        return new AmfDate(ms, c.s16('amf0 date timezone'));
      }
      case Amf0Marker.Reference: {
        const index = c.u16('amf0 reference');
        if (index >= this.references.length) {
          throw c.error(`amf0 reference ${index} out of ${this.references.length}`, at);
        }
        return this.references[index];
      }
      case Amf0Marker.Object: {
        this.checkDepth(depth, 'amf0 object', at);
        const object: AmfObject = {};
        this.references.push(object);
        this.readProperties(object, depth, 'amf0 object');
        return object;
      }
      case Amf0Marker.EcmaArray: {
        this.checkDepth(depth, 'amf0 ecma array', at);
        // The count is only a hint (encoders often write 0); the end marker is what counts.
        c.u32('amf0 ecma array count');
        const array = new AmfEcmaArray();
        this.references.push(array);
        this.readProperties(array.properties, depth, 'amf0 ecma array');
        return array;
      }
      case Amf0Marker.TypedObject: {
        this.checkDepth(depth, 'amf0 typed object', at);
        const className = c.utf8(c.u16('amf0 class name length'), 'amf0 class name');
        const typed = new AmfTypedObject(className);
        this.references.push(typed);
        this.readProperties(typed.properties, depth, 'amf0 typed object');
        return typed;
      }
      case Amf0Marker.StrictArray: {
        this.checkDepth(depth, 'amf0 strict array', at);
        const count = c.u32('amf0 strict array count');
        // Each element is at least one byte: a larger count is a lie, not a reason to allocate.
        if (count > c.remaining) throw c.error(`amf0 strict array: ${count} elements but ${c.remaining} bytes left`, at);
        const array: AmfValue[] = [];
        this.references.push(array);
        for (let i = 0; i < count; i++) array.push(this.readValue(depth + 1));
        return array;
      }
      case Amf0Marker.AvmPlus:
        this.amf3 ??= new Amf3Decoder(c);
        return this.amf3.readValue(depth);
      case Amf0Marker.ObjectEnd:
        throw c.error('amf0: object-end marker outside an object', at);
      default:
        throw c.error(`amf0: unsupported marker 0x${marker.toString(16).padStart(2, '0')}`, at);
    }
  }

  /** Reads every value up to the end of the buffer. */
  readAll(): AmfValue[] {
    const values: AmfValue[] = [];
    while (this.cursor.remaining > 0) values.push(this.readValue());
    return values;
  }

  private checkDepth(depth: number, what: string, at: number): void {
    if (depth >= AMF_MAX_DEPTH) throw this.cursor.error(`${what}: nesting deeper than ${AMF_MAX_DEPTH}`, at);
  }

  /** name/value pairs until an empty name followed by the object-end marker. */
  private readProperties(target: AmfObject, depth: number, what: string): void {
    const c = this.cursor;
    for (;;) {
      const keyLength = c.u16(`${what} key length`);
      if (keyLength === 0 && c.peekU8() === Amf0Marker.ObjectEnd) {
        c.pos++;
        return;
      }
      const key = c.utf8(keyLength, `${what} key`);
      setAmfProperty(target, key, this.readValue(depth + 1));
    }
  }
}

/** Decodes every AMF0 value in `buf` from `offset` on, e.g. the values of a command payload. */
export function decodeAll(buf: Buffer, offset = 0): AmfValue[] {
  return new Amf0Decoder(buf, offset).readAll();
}

export class Amf0Encoder {
  constructor(readonly out: ByteWriter = new ByteWriter()) {}

  /**
   * Writes one value. Repeated objects are written again rather than as references: FFmpeg
   * and other RTMP peers do not all read AMF0 references. A cycle hits the depth limit.
   */
  write(value: AmfValue, depth = 0): this {
    const out = this.out;
    if (value === undefined) {
      out.u8(Amf0Marker.Undefined);
    } else if (value === null) {
      out.u8(Amf0Marker.Null);
    } else if (typeof value === 'number') {
      out.u8(Amf0Marker.Number);
      out.f64(value);
    } else if (typeof value === 'boolean') {
      out.u8(Amf0Marker.Boolean);
      out.u8(value ? 1 : 0);
    } else if (typeof value === 'string') {
      this.writeString(value);
    } else if (typeof value !== 'object') {
      throw new TsrsError('RtmpAmf0Encode', `amf0: cannot encode a ${typeof value}`);
    } else if (value instanceof Date) {
      out.u8(Amf0Marker.Date);
      out.f64(value.getTime());
      out.s16(value instanceof AmfDate ? value.timezoneMinutes : 0);
    } else if (value instanceof AmfUnsupported) {
      out.u8(Amf0Marker.Unsupported);
    } else if (value instanceof AmfXmlDocument) {
      out.u8(Amf0Marker.XmlDocument);
      this.writeLongUtf8(value.xml, 'xml-document');
    } else if (value instanceof Uint8Array || value instanceof AmfXml) {
      // AMF0 has no byte array or E4X XML: switch this one value to AMF3.
      out.u8(Amf0Marker.AvmPlus);
      new Amf3Encoder(out).writeValue(value, depth);
    } else {
      this.checkDepth(depth);
      if (Array.isArray(value)) {
        out.u8(Amf0Marker.StrictArray);
        out.u32(value.length);
        for (let i = 0; i < value.length; i++) this.write(value[i], depth + 1);
      } else if (value instanceof AmfEcmaArray) {
        out.u8(Amf0Marker.EcmaArray);
        out.u32(value.dense.length + Object.keys(value.properties).length);
        value.dense.forEach((item, i) => this.writeProperty(String(i), item, depth));
        this.writeProperties(value.properties, depth);
      } else if (value instanceof AmfTypedObject && value.className !== '') {
        out.u8(Amf0Marker.TypedObject);
        this.writeShortUtf8(value.className, 'class name');
        this.writeProperties(value.properties, depth);
      } else {
        out.u8(Amf0Marker.Object);
        this.writeProperties(value instanceof AmfTypedObject ? value.properties : (value as AmfObject), depth);
      }
    }
    return this;
  }

  toBuffer(): Buffer {
    return this.out.toBuffer();
  }

  private checkDepth(depth: number): void {
    if (depth >= AMF_MAX_DEPTH) {
      throw new TsrsError('RtmpAmf0Encode', `amf0: nesting deeper than ${AMF_MAX_DEPTH} (a cycle?)`);
    }
  }

  private writeString(s: string): void {
    if (Buffer.byteLength(s, 'utf8') <= 0xffff) {
      this.out.u8(Amf0Marker.String);
      this.writeShortUtf8(s, 'string');
    } else {
      this.out.u8(Amf0Marker.LongString);
      this.writeLongUtf8(s, 'long string');
    }
  }

  private writeShortUtf8(s: string, what: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    if (n > 0xffff) throw new TsrsError('RtmpAmf0Encode', `amf0: ${what} of ${n} bytes exceeds 65535`);
    this.out.u16(n);
    this.out.utf8(s);
  }

  private writeLongUtf8(s: string, what: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    if (n > 0xffffffff) throw new TsrsError('RtmpAmf0Encode', `amf0: ${what} of ${n} bytes exceeds 4 GiB`);
    this.out.u32(n);
    this.out.utf8(s);
  }

  private writeProperty(key: string, value: AmfValue, depth: number): void {
    this.writeShortUtf8(key, 'property name');
    this.write(value, depth + 1);
  }

  private writeProperties(properties: AmfObject, depth: number): void {
    for (const key of Object.keys(properties)) this.writeProperty(key, properties[key], depth);
    this.out.u16(0);
    this.out.u8(Amf0Marker.ObjectEnd);
  }
}

/** Encodes values one after another, e.g. the body of a command message. */
export function encodeAmf0(...values: AmfValue[]): Buffer {
  const encoder = new Amf0Encoder();
  for (const v of values) encoder.write(v);
  return encoder.toBuffer();
}
