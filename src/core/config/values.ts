import { isIPv6 } from './ip.js';

/** Argument syntax shared by the fields: SRS switches, numbers and listen endpoints. */
export interface Endpoint {
  /** "0.0.0.0" when the config gives a bare port; "::" for `[::]:PORT`. */
  readonly host: string;
  readonly port: number;
}

export const ANY_HOST = '0.0.0.0';

/** SRS writes switches as on/off; true/false are accepted too. Undefined when neither. */
export function parseSwitch(text: string): boolean | undefined {
  switch (text.toLowerCase()) {
    case 'on':
    case 'true':
      return true;
    case 'off':
    case 'false':
      return false;
    default:
      return undefined;
  }
}

/** A plain decimal number (no hex, no exponent, no trailing junk); undefined otherwise. */
export function parseDecimal(text: string): number | undefined {
  return /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$/.test(text) ? Number(text) : undefined;
}

function parsePort(text: string): number | undefined {
  if (!/^[0-9]{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  // Port 0 is allowed on purpose: the OS picks a free port, which tests rely on.
  return port <= 65535 ? port : undefined;
}

/** `1935`, `0.0.0.0:1935`, `host:1935`, `[::]:1935`, `[::1]:1935`; undefined when malformed. */
export function parseEndpoint(text: string): Endpoint | undefined {
  if (text.startsWith('[')) {
    const m = /^\[([^\]]+)\]:([^:]+)$/.exec(text);
    const port = m ? parsePort(m[2]!) : undefined;
    return m && port !== undefined && isIPv6(m[1]!) ? { host: m[1]!, port } : undefined;
  }
  const colon = text.lastIndexOf(':');
  if (colon < 0) {
    const port = parsePort(text);
    return port === undefined ? undefined : { host: ANY_HOST, port };
  }
  const host = text.slice(0, colon);
  const port = parsePort(text.slice(colon + 1));
  if (port === undefined || host === '' || host.includes(':')) return undefined;
  return { host, port };
}
