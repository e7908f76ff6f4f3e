import { describe, expect, it } from 'vitest';
import {
  DEFAULT_VHOST,
  normalizeTripleDots,
  parseTcUrl,
  resolveStreamRequest,
} from '../../src/kernel/stream-url.js';

const known = (names: string[]) => (name: string) => names.includes(name);

describe('stream url discovery', () => {
  it('parses a plain tcUrl and stream', () => {
    const r = resolveStreamRequest('rtmp://127.0.0.1:1935/live', 'livestream', known([]));
    expect(r).toMatchObject({ host: '127.0.0.1', port: 1935, app: 'live', stream: 'livestream', vhost: DEFAULT_VHOST, param: '' });
  });

  it('defaults the port by schema and keeps the stream params for hooks', () => {
    const r = resolveStreamRequest('rtmp://example.com/live', 's?token=abc&x=1', known([]));
    expect(r.port).toBe(1935);
    expect(r.stream).toBe('s');
    expect(r.param).toBe('?token=abc&x=1');
  });

  it('takes the vhost from the stream query first, then the tcUrl query, then the host', () => {
    const names = known(['a.com', 'b.com', 'c.com']);
    expect(resolveStreamRequest('rtmp://c.com/live?vhost=b.com', 's?vhost=a.com', names).vhost).toBe('a.com');
    expect(resolveStreamRequest('rtmp://c.com/live?vhost=b.com', 's', names).vhost).toBe('b.com');
    expect(resolveStreamRequest('rtmp://c.com/live', 's', names).vhost).toBe('c.com');
  });

  it('falls back to the default vhost for unknown names', () => {
    expect(resolveStreamRequest('rtmp://unknown.host/live?vhost=nope', 's', known(['a.com'])).vhost).toBe(DEFAULT_VHOST);
  });

  it("understands SRS's triple-dot form", () => {
    expect(normalizeTripleDots('live...vhost...a.com...token...t')).toBe('live?vhost=a.com&token=t');
    const r = resolveStreamRequest('rtmp://127.0.0.1/live...vhost...a.com', 's', known(['a.com']));
    expect(r.app).toBe('live');
    expect(r.vhost).toBe('a.com');
  });

  it('parses IPv6 hosts and multi-level apps', () => {
    const tc = parseTcUrl('rtmp://[::1]:19350/live/sub');
    expect(tc).toMatchObject({ host: '::1', port: 19350, app: 'live/sub' });
  });

  it('survives garbage without throwing', () => {
    for (const junk of ['', '://', 'rtmp:/', '%%%', 'rtmp://h/app?%zz=1']) {
      expect(() => resolveStreamRequest(junk, '%E0%A4%A', known([]))).not.toThrow();
    }
  });
});
