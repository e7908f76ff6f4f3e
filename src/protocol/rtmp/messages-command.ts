/**
 * Command (20 AMF0, 17 AMF3) and data (18 AMF0, 15 AMF3) message payloads.
 *
 * A command is: name, transaction id, command object, then arguments. A data message is a
 * name followed by values (`@setDataFrame`, `onMetaData`, `|RtmpSampleAccess`). The AMF3
 * variants start with a format byte 0x00 and then carry AMF0 values, any of which may switch
 * to AMF3 with the 0x11 marker. tsrs always sends the AMF0 variants, as SRS does.
 */
import { TsrsError } from '../../core/errors.js';
import { decodeAll, encodeAmf0 } from '../amf/amf0.js';
import type { AmfValue } from '../amf/amf-types.js';
import { RtmpMessageType } from './messages.js';

export interface RtmpCommand {
  name: string;
  transactionId: number;
  /** The command object (connect's properties), or null as most commands send. */
  commandObject: AmfValue;
  args: AmfValue[];
}

export interface RtmpData {
  name: string;
  values: AmfValue[];
}

/** A type name for errors; never reads properties of the (peer-controlled) value. */
function describeType(value: AmfValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  if (value instanceof Uint8Array) return 'byte array';
  return typeof value;
}

/**
 * The AMF values of a command or data payload. For 15 and 17 the leading format byte is
 * skipped when it is 0x00 (no value can start there: names are strings), so a peer that
 * omits it still decodes.
 */
export function decodeAmfPayload(typeId: number, payload: Buffer): AmfValue[] {
  switch (typeId) {
    case RtmpMessageType.CommandAmf0:
    case RtmpMessageType.DataAmf0:
      return decodeAll(payload);
    case RtmpMessageType.CommandAmf3:
    case RtmpMessageType.DataAmf3:
      return decodeAll(payload, payload.length > 0 && payload[0] === 0x00 ? 1 : 0);
    default:
      throw new TsrsError('RtmpMessageDecode', `message type ${typeId} carries no AMF command or data`);
  }
}

function readName(values: AmfValue[], what: string): string {
  const name = values[0];
  if (typeof name !== 'string') {
    throw new TsrsError('RtmpAmf0Decode', `${what}: name is ${values.length ? describeType(name) : 'missing'}, not a string`);
  }
  return name;
}

export function decodeCommand(typeId: number, payload: Buffer): RtmpCommand {
  const values = decodeAmfPayload(typeId, payload);
  const name = readName(values, 'command');
  const transactionId = values[1];
  if (typeof transactionId !== 'number') {
    throw new TsrsError(
      'RtmpAmf0Decode',
      `command ${name}: transaction id is ${values.length > 1 ? describeType(transactionId) : 'missing'}, not a number`,
    );
  }
  return {
    name,
    transactionId,
    commandObject: values.length > 2 ? values[2] : null,
    args: values.slice(3),
  };
}

/** An AMF0 command payload (message type 20). */
export function encodeCommand(
  name: string,
  transactionId: number,
  commandObject: AmfValue,
  ...args: AmfValue[]
): Buffer {
  return encodeAmf0(name, transactionId, commandObject, ...args);
}

export function decodeData(typeId: number, payload: Buffer): RtmpData {
  const values = decodeAmfPayload(typeId, payload);
  return { name: readName(values, 'data message'), values: values.slice(1) };
}

/** An AMF0 data payload (message type 18). */
export function encodeData(name: string, ...values: AmfValue[]): Buffer {
  return encodeAmf0(name, ...values);
}
