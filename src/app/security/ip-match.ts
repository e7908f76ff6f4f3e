/**
 * Whether a client address matches a security rule target: `all`, an exact IP or a CIDR,
 * IPv4 or IPv6. IPv4 peers that Node reports in IPv6-mapped form (::ffff:1.2.3.4) match
 * IPv4 rules, since that is the address the operator wrote.
 */
import { isIPv4, isIPv6 } from 'node:net';

function v4Bytes(ip: string): number[] | undefined {
  if (!isIPv4(ip)) return undefined;
  return ip.split('.').map(Number);
}

function v6Bytes(ip: string): number[] | undefined {
  const zoneless = ip.split('%')[0]!;
  if (!isIPv6(zoneless)) return undefined;
  let text = zoneless;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tail.push(...v4Bytes(text.slice(lastColon + 1))!);
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [left, right] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const head = groups(left);
  const rest = right === undefined ? [] : groups(right);
  const words = right === undefined ? head : [...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest];
  const bytes = words.flatMap((w) => [w >> 8, w & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** The address in canonical bytes: 4 for IPv4 (mapped addresses unwrapped), 16 for IPv6. */
export function ipBytes(ip: string): number[] | undefined {
  const v4 = v4Bytes(ip);
  if (v4) return v4;
  const v6 = v6Bytes(ip);
  if (!v6) return undefined;
  const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  return mapped ? v6.slice(12) : v6;
}

function prefixMatches(a: number[], b: number[], bits: number): boolean {
  for (let i = 0; i < a.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a[i]! & mask) !== (b[i]! & mask)) return false;
  }
  return true;
}

/** `all`, an IP or a CIDR against a client address; a malformed target matches nothing. */
export function ipMatches(target: string, ip: string): boolean {
  if (target === 'all') return true;
  const client = ipBytes(ip);
  if (!client) return false;
  const slash = target.indexOf('/');
  const address = ipBytes(slash < 0 ? target : target.slice(0, slash));
  if (!address || address.length !== client.length) return false;
  const bits = slash < 0 ? address.length * 8 : Number(target.slice(slash + 1));
  if (!Number.isInteger(bits) || bits < 0 || bits > address.length * 8) return false;
  return prefixMatches(client, address, bits);
}
