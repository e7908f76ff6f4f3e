import { describe, expect, it } from 'vitest';
import { ipBytes, ipMatches } from '../../../src/app/security/ip-match.js';
import { checkRefer, referMatches } from '../../../src/app/security/refer.js';
import { checkSecurity } from '../../../src/app/security/security.js';
import type { SecurityConfig } from '../../../src/core/config/index.js';
import { loadTestConfig } from '../../helpers/api-server.js';

function rules(body: string): SecurityConfig {
  return loadTestConfig(`vhost v { security { enabled on; ${body} } }`).vhosts.find((v) => v.name === 'v')!.security;
}

const verdict = (s: SecurityConfig, method: 'publish' | 'play', ip: string) => checkSecurity(s, method, ip)?.code ?? 'ok';

describe('IP and CIDR matching', () => {
  it('matches all, exact IPv4/IPv6 and CIDRs, unwrapping IPv4-mapped IPv6 peers', () => {
    expect(ipMatches('all', 'anything')).toBe(true);
    expect(ipMatches('10.1.2.3', '10.1.2.3')).toBe(true);
    expect(ipMatches('10.1.2.3', '::ffff:10.1.2.3')).toBe(true);
    expect(ipMatches('10.1.2.3', '10.1.2.4')).toBe(false);
    expect(ipMatches('10.0.0.0/8', '::ffff:10.200.0.1')).toBe(true);
    expect(ipMatches('10.0.0.0/8', '11.0.0.1')).toBe(false);
    expect(ipMatches('192.168.1.128/25', '192.168.1.200')).toBe(true);
    expect(ipMatches('192.168.1.128/25', '192.168.1.100')).toBe(false);
    expect(ipMatches('0.0.0.0/0', '8.8.8.8')).toBe(true);
    expect(ipMatches('fe80::/10', 'fe80::1%eth0')).toBe(true);
    expect(ipMatches('2001:db8::/32', '2001:db8:1::5')).toBe(true);
    expect(ipMatches('2001:db8::/32', '2001:db9::5')).toBe(false);
    expect(ipMatches('::1', '::1')).toBe(true);
    expect(ipMatches('10.0.0.0/8', '::1')).toBe(false);
  });

  it('matches nothing for malformed targets or addresses', () => {
    expect(ipMatches('10.0.0.0/33', '10.0.0.1')).toBe(false);
    expect(ipMatches('10.0.0/8', '10.0.0.1')).toBe(false);
    expect(ipMatches('10.0.0.1', '')).toBe(false);
    expect(ipMatches('10.0.0.1', 'not-an-ip')).toBe(false);
    expect(ipBytes('::ffff:1.2.3.4')).toEqual([1, 2, 3, 4]);
    expect(ipBytes('1::')).toHaveLength(16);
  });
});

describe('security rules, evaluated as SRS 6 does', () => {
  it('allows everything when security is off', () => {
    expect(checkSecurity({ enabled: false, rules: [] }, 'publish', '1.2.3.4')).toBeUndefined();
  });

  it('denies by default when security is on without rules', () => {
    expect(verdict(rules(''), 'play', '1.2.3.4')).toBe(1052);
  });

  it('lets a matching deny win over any allow, whatever the order', () => {
    const s = rules('allow play all; deny play 10.0.0.0/8;');
    expect(verdict(s, 'play', '10.1.1.1')).toBe(1053);
    expect(verdict(s, 'play', '8.8.8.8')).toBe('ok');
    expect(verdict(rules('deny play 10.0.0.0/8; allow play 10.1.1.1;'), 'play', '10.1.1.1')).toBe(1053);
  });

  it('with allow rules, is a whitelist: no matching allow for the method denies', () => {
    const s = rules('allow publish 127.0.0.1; allow play all;');
    expect(verdict(s, 'publish', '127.0.0.1')).toBe('ok');
    expect(verdict(s, 'publish', '::ffff:127.0.0.1')).toBe('ok');
    expect(verdict(s, 'publish', '10.0.0.1')).toBe(1054);
    expect(verdict(s, 'play', '10.0.0.1')).toBe('ok');
    // An allow rule for publish only still makes play a whitelist (SRS counts all allow rules).
    expect(verdict(rules('allow publish 127.0.0.1;'), 'play', '127.0.0.1')).toBe(1054);
  });

  it('with only deny rules, denies just what they name', () => {
    const s = rules('deny publish all; deny play 192.168.0.0/16;');
    expect(verdict(s, 'publish', '127.0.0.1')).toBe(1053);
    expect(verdict(s, 'play', '192.168.3.4')).toBe(1053);
    expect(verdict(s, 'play', '127.0.0.1')).toBe('ok');
  });

  it('takes several targets on one line', () => {
    const s = rules('allow play 10.0.0.1 10.0.0.2;');
    expect(verdict(s, 'play', '10.0.0.2')).toBe('ok');
    expect(verdict(s, 'play', '10.0.0.3')).toBe(1054);
  });
});

describe('refer', () => {
  it('matches the page host by its end, scheme, port and path ignored', () => {
    expect(referMatches('http://www.example.com:8080/player.html', 'example.com')).toBe(true);
    expect(referMatches('https://example.com', 'example.com')).toBe(true);
    expect(referMatches('example.com/x', 'example.com')).toBe(true);
    expect(referMatches('http://example.com.evil.net/', 'example.com')).toBe(false);
    expect(referMatches('http://other.org/example.com', 'example.com')).toBe(false);
    expect(referMatches('', 'example.com')).toBe(false);
    // SRS looks at the first occurrence only.
    expect(referMatches('http://example.com.example.com/', 'example.com')).toBe(false);
  });

  it('checks nothing for an empty list and denies with 2013 otherwise', () => {
    expect(checkRefer('', [], 'play')).toBeUndefined();
    expect(checkRefer('http://a.example.com/', ['other.org', 'example.com'], 'play')).toBeUndefined();
    expect(checkRefer('http://a.example.net/', ['example.com'], 'play')?.code).toBe(2013);
  });
});
