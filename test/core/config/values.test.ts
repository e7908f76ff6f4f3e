import { describe, expect, it } from 'vitest';
import { isCidr, isIP, isIPv4, isIPv6 } from '../../../src/core/config/ip.js';
import { parseDecimal, parseEndpoint, parseSwitch } from '../../../src/core/config/values.js';

describe('address syntax', () => {
  it.each(['0.0.0.0', '127.0.0.1', '255.255.255.255', '10.1.2.3'])('IPv4 %s', (ip) => expect(isIPv4(ip)).toBe(true));
  it.each(['256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.a', '', '1..2.3'])('not IPv4 %j', (ip) => expect(isIPv4(ip)).toBe(false));
  it.each(['::', '::1', 'fe80::1', '2001:db8:0:0:0:0:2:1', '::ffff:192.0.2.1', 'fe80::1%eth0', '1:2:3:4:5:6:7::'])('IPv6 %s', (ip) =>
    expect(isIPv6(ip)).toBe(true),
  );
  it.each([':::', '1:2:3:4:5:6:7:8:9', '1::2::3', 'g::1', '12345::', '1:2:3:4:5:6:7', '::1.2.3', ''])('not IPv6 %j', (ip) =>
    expect(isIPv6(ip)).toBe(false),
  );
  it('CIDR', () => {
    expect(isCidr('10.0.0.0/8')).toBe(true);
    expect(isCidr('0.0.0.0/0')).toBe(true);
    expect(isCidr('fe80::/10')).toBe(true);
    expect(isCidr('::/128')).toBe(true);
    expect(isCidr('10.0.0.0/33')).toBe(false);
    expect(isCidr('::/129')).toBe(false);
    expect(isCidr('10.0.0.0/')).toBe(false);
    expect(isCidr('10.0.0.0')).toBe(false);
    expect(isCidr('x/8')).toBe(false);
    expect(isIP('10.0.0.0/8')).toBe(false);
  });
});

describe('value syntax', () => {
  it('switches', () => {
    expect(['on', 'ON', 'true', 'off', 'false', 'yes', ''].map(parseSwitch)).toEqual([true, true, true, false, false, undefined, undefined]);
  });

  it('decimals: plain notation only', () => {
    expect(['10', '-1', '+2', '1.5', '.5', '3.', '0'].map(parseDecimal)).toEqual([10, -1, 2, 1.5, 0.5, 3, 0]);
    expect(['', '1e3', '0x10', '1.2.3', 'NaN', 'Infinity', '10ms', ' 1'].map(parseDecimal)).toEqual(Array(8).fill(undefined));
  });

  it('endpoints', () => {
    expect(parseEndpoint('1935')).toEqual({ host: '0.0.0.0', port: 1935 });
    expect(parseEndpoint('65535')).toEqual({ host: '0.0.0.0', port: 65535 });
    expect(parseEndpoint('127.0.0.1:80')).toEqual({ host: '127.0.0.1', port: 80 });
    expect(parseEndpoint('[fe80::1%eth0]:8000')).toEqual({ host: 'fe80::1%eth0', port: 8000 });
    for (const bad of ['65536', '100000', '[::]1935', '[::]:', 'a:b', 'host:', ':80', '1:2:80', '']) expect(parseEndpoint(bad), bad).toBeUndefined();
  });
});
