/**
 * Coded errors, as SRS has them: a stable numeric code an API or hook answer can carry,
 * a symbolic name, and a chain of context added as the error climbs the layers
 * ("rtmp play live/s: consumer queue: socket closed").
 */

/** SRS error codes tsrs returns (numbers kept so SRS API clients see the same values). */
export const ErrorCode = {
  Success: 0,
  /** What SRS's /api/v1/tests/errors always answers. */
  ApiTestsError: 100,
  SocketClosed: 1004,
  SocketTimeout: 1011,
  ConfigInvalid: 1023,
  ConfigDirective: 1024,
  SystemSecurity: 1052,
  SystemSecurityDeny: 1053,
  SystemSecurityAllow: 1054,
  SystemConfigRawDisabled: 1061,
  SystemConfigRawNotAllowed: 1062,
  SystemConfigRawParams: 1063,
  ExporterDisabled: 1090,
  RtmpPlainRequired: 2000,
  RtmpHandshake: 2001,
  RtmpChunkStart: 2002,
  RtmpMessageDecode: 2003,
  RtmpAmf0Decode: 2004,
  RtmpAmf0Encode: 2008,
  RtmpPacketSize: 2009,
  RtmpVhostNotFound: 2012,
  RtmpAccessDenied: 2013,
  RtmpHandshakeDigest: 2014,
  RtmpStreamNameEmpty: 2016,
  RtmpChunkSize: 2017,
  RtmpSoftwareVersion: 2018,
  RtmpStreamBusy: 2019,
  RtmpClientCommand: 2020,
  RtmpRedirect: 2021,
  RtmpStreamNotFound: 2048,
  RtmpClientNotFound: 2049,
  HttpHookDenied: 3007,
  SystemStreamBusy: 1028,
  HttpParse: 4000,
  HttpUnauthorized: 4001,
  HttpNotFound: 4004,
  HttpMethodNotAllowed: 4005,
  Unknown: 9999,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;

export class TsrsError extends Error {
  readonly code: number;
  readonly codeName: ErrorCodeName;
  /** Context strings, outermost first, added by wrap(). */
  readonly contexts: string[];

  constructor(codeName: ErrorCodeName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TsrsError';
    this.codeName = codeName;
    this.code = ErrorCode[codeName];
    this.contexts = [];
  }

  /** The full chain, e.g. "rtmp play live/s: consumer: socket closed (RtmpStreamBusy 2019)". */
  describe(): string {
    return [...this.contexts, this.message].join(': ') + ` (${this.codeName} ${this.code})`;
  }
}

/** Adds context to an error as it climbs, keeping its code; non-tsrs errors become Unknown. */
export function wrapError(err: unknown, context: string): TsrsError {
  if (err instanceof TsrsError) {
    err.contexts.unshift(context);
    return err;
  }
  const wrapped = new TsrsError('Unknown', err instanceof Error ? err.message : String(err), { cause: err });
  wrapped.contexts.unshift(context);
  return wrapped;
}

export function describeError(err: unknown): string {
  if (err instanceof TsrsError) return err.describe();
  if (err instanceof Error) return err.message;
  return String(err);
}
