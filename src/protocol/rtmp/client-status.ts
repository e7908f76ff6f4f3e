/**
 * Reading a server's answers on the client side: the info object of an onStatus or `_error`,
 * the error it means for the caller, and an RTMP 302 redirect as SRS sends one:
 *   {level: 'error', code: 'NetConnection.Connect.Rejected', description, ex: {code: 302, redirect: URL}}
 */
import { TsrsError, type ErrorCodeName } from '../../core/errors.js';
import { amfProperties, type AmfObject, type AmfValue } from '../amf/amf-types.js';
import { StatusCode, StatusLevel } from './messages.js';

/** An onStatus / `_error` info object with its three well-known fields made plain strings. */
export interface RtmpStatus {
  level: string;
  code: string;
  description: string;
  /** Every field as sent (details, clientid, ex...). */
  fields: AmfObject;
}

const asString = (value: AmfValue | undefined): string => (typeof value === 'string' ? value : '');

/** The status in a command's first argument (onStatus, `_error`), or undefined if it has none. */
export function statusOf(info: AmfValue | undefined): RtmpStatus | undefined {
  const fields = info === undefined ? undefined : amfProperties(info);
  if (!fields) return undefined;
  return { level: asString(fields.level), code: asString(fields.code), description: asString(fields.description), fields };
}

/** The URL of an RTMP 302 redirect, if this status is one. */
export function redirectOf(status: RtmpStatus): string | undefined {
  const ex = status.fields.ex === undefined ? undefined : amfProperties(status.fields.ex);
  const redirect = ex ? asString(ex.redirect) : '';
  if (!redirect) return undefined;
  return ex!.code === 302 || status.code === StatusCode.ConnectRejected ? redirect : undefined;
}

export function isErrorStatus(status: RtmpStatus): boolean {
  return status.level === StatusLevel.Error;
}

/** A command the server refused, carrying its status (and redirect target, if any). */
export class RtmpStatusError extends TsrsError {
  constructor(
    codeName: ErrorCodeName,
    what: string,
    readonly status: RtmpStatus,
    readonly redirect?: string,
  ) {
    const detail = status.description ? `: ${status.description}` : '';
    super(codeName, `${what} refused with ${status.code || 'an error'}${detail}${redirect ? ` (redirect to ${redirect})` : ''}`);
  }
}

/** The error code a refusal maps to, so callers (edge, forward) can branch on it. */
export function statusErrorCode(status: RtmpStatus, redirect: string | undefined): ErrorCodeName {
  if (redirect) return 'RtmpRedirect';
  switch (status.code) {
    case StatusCode.ConnectRejected:
      return 'RtmpAccessDenied';
    case StatusCode.PublishBadName:
      return 'RtmpStreamBusy';
    case StatusCode.StreamNotFound:
      return 'RtmpStreamNotFound';
    default:
      return 'RtmpClientCommand';
  }
}

export function statusError(what: string, status: RtmpStatus): RtmpStatusError {
  const redirect = redirectOf(status);
  return new RtmpStatusError(statusErrorCode(status, redirect), what, status, redirect);
}
