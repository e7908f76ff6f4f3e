/**
 * The standard server replies, in SRS's shape and field order, as ready payloads: the
 * session code picks the values, these functions know the wire layout.
 */
import { AmfEcmaArray, type AmfObject, type AmfValue } from '../amf/amf-types.js';
import { encodeCommand, encodeData } from './messages-command.js';
import { RtmpCommandName, StatusCode, StatusLevel } from './messages.js';

/** What SRS reports as its FMS version (RTMP_SIG_FMS_VER). */
export const FMS_VERSION = '3,5,3,888';

export interface ConnectResultParams {
  /** The connect request's transaction id (1 from every known client). */
  transactionId?: number;
  /** Echo of the client's objectEncoding (0 AMF0, 3 AMF3). */
  objectEncoding?: number;
  /** srs_server, e.g. "SRS/6.0.0(Bee)". */
  server: string;
  /** srs_version, e.g. "6.0.0". */
  version: string;
  /** srs_pid: edges read it to identify the origin process. */
  pid: number;
  /** srs_id: the connection's context id. */
  contextId: string;
  /** srs_server_ip, when known. */
  serverIp?: string;
  signature?: string;
  license?: string;
  url?: string;
  authors?: string;
}

/** connect `_result`: properties {fmsVer, capabilities, mode}, information {..., data (ECMA array)}. */
export function encodeConnectResult(p: ConnectResultParams): Buffer {
  const properties: AmfObject = { fmsVer: `FMS/${FMS_VERSION}`, capabilities: 127, mode: 1 };
  const data = new AmfEcmaArray({
    version: FMS_VERSION,
    srs_sig: p.signature ?? 'SRS',
    srs_server: p.server,
    srs_license: p.license ?? 'MIT',
    srs_url: p.url ?? 'https://github.com/ossrs/srs',
    srs_version: p.version,
    srs_authors: p.authors ?? 'https://github.com/ossrs/srs/blob/develop/trunk/AUTHORS.md',
  });
  if (p.serverIp !== undefined) data.properties.srs_server_ip = p.serverIp;
  data.properties.srs_pid = p.pid;
  data.properties.srs_id = p.contextId;
  const information: AmfObject = {
    level: StatusLevel.Status,
    code: StatusCode.ConnectSuccess,
    description: 'Connection succeeded',
    objectEncoding: p.objectEncoding ?? 0,
    data,
  };
  return encodeCommand(RtmpCommandName.Result, p.transactionId ?? 1, properties, information);
}

export interface StatusParams {
  code: string;
  description: string;
  /** StatusLevel; "status" unless given. */
  level?: string;
  /** Fields after level/code/description, in order (e.g. details, clientid). */
  extra?: AmfObject;
}

function statusInfo(s: StatusParams, defaultLevel: string): AmfObject {
  return { level: s.level ?? defaultLevel, code: s.code, description: s.description, ...s.extra };
}

/** onStatus command (transaction 0, null command object), e.g. NetStream.Play.Start. */
export function encodeOnStatus(s: StatusParams): Buffer {
  return encodeCommand(RtmpCommandName.OnStatus, 0, null, statusInfo(s, StatusLevel.Status));
}

/** onStatus as a data message, as SRS sends NetStream.Data.Start: only the code. */
export function encodeOnStatusData(code: string): Buffer {
  return encodeData(RtmpCommandName.OnStatus, { code });
}

/** `_error` reply to a request, e.g. a rejected connect. */
export function encodeCommandError(transactionId: number, s: StatusParams): Buffer {
  return encodeCommand(RtmpCommandName.Error, transactionId, null, statusInfo(s, StatusLevel.Error));
}

/** A plain `_result`, e.g. to releaseStream/FCPublish (`undefined` argument) or getStreamLength. */
export function encodeResult(transactionId: number, commandObject: AmfValue, ...args: AmfValue[]): Buffer {
  return encodeCommand(RtmpCommandName.Result, transactionId, commandObject, ...args);
}

/** createStream `_result`: null command object, then the new stream id. */
export function encodeCreateStreamResult(transactionId: number, streamId: number): Buffer {
  return encodeCommand(RtmpCommandName.Result, transactionId, null, streamId);
}

/** onFCPublish / onFCUnpublish, which FMLE-style encoders wait for. */
export function encodeOnFCPublish(name: 'onFCPublish' | 'onFCUnpublish', code: string, description: string): Buffer {
  return encodeCommand(name, 0, null, { code, description });
}

/** onBWDone: SRS sends it after connect; Flash clients expect it. */
export function encodeOnBWDone(): Buffer {
  return encodeCommand(RtmpCommandName.OnBWDone, 0, null);
}

/** |RtmpSampleAccess data message; SRS writes video access then audio access. */
export function encodeSampleAccess(videoSampleAccess = true, audioSampleAccess = true): Buffer {
  return encodeData(RtmpCommandName.SampleAccess, videoSampleAccess, audioSampleAccess);
}

/** onMetaData to players; pass an object (as SRS forwards it) or an ECMA array. */
export function encodeOnMetaData(metadata: AmfObject | AmfEcmaArray): Buffer {
  return encodeData(RtmpCommandName.OnMetaData, metadata);
}

/** @setDataFrame("onMetaData", metadata): how a publishing client (forward, edge) sends metadata. */
export function encodeSetDataFrame(metadata: AmfObject | AmfEcmaArray): Buffer {
  return encodeData(RtmpCommandName.SetDataFrame, RtmpCommandName.OnMetaData, metadata);
}
