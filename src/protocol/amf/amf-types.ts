/**
 * The JavaScript shape of AMF values, shared by the AMF0 and AMF3 codecs.
 *
 * Most values map onto plain JS (number, boolean, string, null, undefined, Date, arrays,
 * plain objects). The few wire types that would otherwise collapse into one another on a
 * round trip get a small class: an ECMA (associative) array, a typed object, XML, and the
 * AMF0 "unsupported" marker. AMF3 byte arrays are Buffers.
 */

/** An anonymous object; keys keep the order they were decoded or inserted in. */
export interface AmfObject {
  [key: string]: AmfValue;
}

export type AmfValue =
  | number
  | boolean
  | string
  | null
  | undefined
  | Date
  | Uint8Array
  | AmfValue[]
  | AmfObject
  | AmfEcmaArray
  | AmfTypedObject
  | AmfXmlDocument
  | AmfXml
  | AmfUnsupported;

/**
 * An associative array: AMF0 ECMA array, or an AMF3 array with an associative part.
 * `dense` holds the AMF3 dense part (always empty after an AMF0 decode; AMF0 writes it as
 * keys "0".."n-1" before the named properties).
 */
export class AmfEcmaArray {
  constructor(
    readonly properties: AmfObject = {},
    readonly dense: AmfValue[] = [],
  ) {}
}

/** AMF3 traits as sent on the wire, kept so an object re-encodes with the same layout. */
export interface Amf3Traits {
  sealed: string[];
  dynamic: boolean;
}

/** An object with a class name (AMF0 typed object, AMF3 object with traits). */
export class AmfTypedObject {
  constructor(
    readonly className: string,
    readonly properties: AmfObject = {},
    /** Set by the AMF3 decoder; without it AMF3 encodes every property as sealed. */
    readonly amf3Traits?: Amf3Traits,
  ) {}
}

/** AMF0 xml-document (0x0f) and AMF3 XMLDocument (0x07). */
export class AmfXmlDocument {
  constructor(readonly xml: string) {}
}

/** AMF3 E4X XML (0x0b); AMF0 has no such type and switches to AMF3 to send it. */
export class AmfXml {
  constructor(readonly xml: string) {}
}

/** AMF0 "unsupported" marker (0x0d): a value the sender could not serialize. */
export class AmfUnsupported {
  static readonly instance = new AmfUnsupported();
  private constructor() {}
}

/** AMF0 date: milliseconds since the epoch plus the (reserved, normally 0) timezone field. */
export class AmfDate extends Date {
  constructor(
    ms: number,
    readonly timezoneMinutes = 0,
  ) {
    super(ms);
  }
}

/** True for values encoded as an anonymous object (not arrays, dates, buffers or AMF classes). */
export function isAmfObject(value: AmfValue): value is AmfObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !(value instanceof Uint8Array) &&
    !(value instanceof AmfEcmaArray) &&
    !(value instanceof AmfTypedObject) &&
    !(value instanceof AmfXmlDocument) &&
    !(value instanceof AmfXml) &&
    !(value instanceof AmfUnsupported)
  );
}

/**
 * The named properties of an object-like value (anonymous object, ECMA array, typed object),
 * so callers reading e.g. onMetaData need not care which one the client sent.
 */
export function amfProperties(value: AmfValue): AmfObject | undefined {
  if (value instanceof AmfEcmaArray || value instanceof AmfTypedObject) return value.properties;
  if (isAmfObject(value)) return value;
  return undefined;
}

/** Sets a key without ever touching the prototype (a key named "__proto__" stays data). */
export function setAmfProperty(target: AmfObject, key: string, value: AmfValue): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** Most objects/arrays nested inside one another the codecs accept (against stack exhaustion and cycles). */
export const AMF_MAX_DEPTH = 64;
