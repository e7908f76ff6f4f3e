import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resetLogTank, setLogTank } from '../../../src/core/logger.js';
import { rawRequest } from './clients.js';
import { startHttpHarness, type HttpHarness } from './harness.js';

const CONF = `
listen 0;
http_server { enabled on; listen 127.0.0.1:0; dir @DIR@; crossdomain on; https { enabled on; listen 127.0.0.1:0; key @KEY@; cert @CERT@; } }
vhost __defaultVhost__ { http_remux { enabled on; mount [vhost]/[app]/[stream].flv; } }
vhost files.test { http_static { enabled on; mount [vhost]/assets; dir @DIR@/sub; } }
`;

const get = (path: string, headers = '') => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${headers}\r\n`;

describe('static files and request handling', () => {
  let h: HttpHarness;
  const logs: string[] = [];
  const outside = mkdtempSync(join(tmpdir(), 'tsrs-outside-'));

  beforeAll(async () => {
    setLogTank({ write: (line) => logs.push(line) });
    h = await startHttpHarness(CONF);
    mkdirSync(join(h.dir, 'live'));
    mkdirSync(join(h.dir, 'sub'));
    writeFileSync(join(h.dir, 'index.html'), '<html>tsrs</html>');
    writeFileSync(join(h.dir, 'live', 's.m3u8'), '#EXTM3U\n');
    writeFileSync(join(h.dir, 'live', 's-0.ts'), Buffer.alloc(188 * 10, 0x47));
    writeFileSync(join(h.dir, 'live', 'data.bin'), Buffer.from('0123456789abcdefghij'));
    writeFileSync(join(h.dir, 'sub', 'a.css'), 'body{}');
    writeFileSync(join(outside, 'secret.txt'), 'top secret');
    symlinkSync(outside, join(h.dir, 'escape'));
    symlinkSync(join(h.dir, 'live'), join(h.dir, 'inside'));
  });

  afterAll(async () => {
    await h?.close();
    resetLogTank();
  });

  it('serves files with their MIME types, Content-Length and CORS', async () => {
    const m3u8 = await rawRequest(h.httpPort, get('/live/s.m3u8'));
    expect(m3u8.status).toBe(200);
    expect(m3u8.headers['content-type']).toBe('application/vnd.apple.mpegurl');
    expect(m3u8.headers['cache-control']).toBe('no-cache');
    expect(m3u8.headers['access-control-allow-origin']).toBe('*');
    expect(m3u8.body.toString()).toBe('#EXTM3U\n');
    const ts = await rawRequest(h.httpPort, get('/live/s-0.ts'));
    expect(ts.headers['content-type']).toBe('video/MP2T');
    expect(ts.headers['content-length']).toBe('1880');
    expect(ts.headers['cache-control']).toBeUndefined();
    expect(ts.body.length).toBe(1880);
    const index = await rawRequest(h.httpPort, get('/'));
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    expect(index.body.toString()).toBe('<html>tsrs</html>');
    // A symlink that stays inside the root is fine.
    expect((await rawRequest(h.httpPort, get('/inside/s.m3u8'))).status).toBe(200);
  });

  it('answers single ranges with 206 and impossible ones with 416', async () => {
    const part = await rawRequest(h.httpPort, get('/live/data.bin', 'Range: bytes=2-5\r\n'));
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 2-5/20');
    expect(part.body.toString()).toBe('2345');
    const suffix = await rawRequest(h.httpPort, get('/live/data.bin', 'Range: bytes=-3\r\n'));
    expect(suffix.body.toString()).toBe('hij');
    const open = await rawRequest(h.httpPort, get('/live/data.bin', 'Range: bytes=18-\r\n'));
    expect(open.body.toString()).toBe('ij');
    const bad = await rawRequest(h.httpPort, get('/live/data.bin', 'Range: bytes=20-30\r\n'));
    expect(bad.status).toBe(416);
    expect(bad.headers['content-range']).toBe('bytes */20');
    const multi = await rawRequest(h.httpPort, get('/live/data.bin', 'Range: bytes=0-1,3-4\r\n'));
    expect(multi.status).toBe(200);
    expect(multi.body.length).toBe(20);
  });

  it('answers HEAD with headers only, on files and live mounts', async () => {
    const head = await rawRequest(h.httpPort, 'HEAD /live/data.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('20');
    expect(head.body.length).toBe(0);
    const live = await rawRequest(h.httpPort, 'HEAD /live/nobody.flv HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(live.status).toBe(200);
    expect(live.headers['content-type']).toBe('video/x-flv');
    expect(live.body.length).toBe(0);
  });

  it('keeps the connection alive across requests', async () => {
    const both = await rawRequest(h.httpPort, `GET /live/data.bin HTTP/1.1\r\nHost: x\r\n\r\n${get('/live/s.m3u8')}`);
    expect(both.status).toBe(200);
    expect(both.body.toString()).toContain('0123456789abcdefghij');
    expect(both.body.toString()).toContain('#EXTM3U');
  });

  it('answers If-Modified-Since with 304, and directories without an index with 404', async () => {
    const first = await rawRequest(h.httpPort, get('/live/data.bin'));
    expect(first.headers['last-modified']).toBeDefined();
    const again = await rawRequest(h.httpPort, get('/live/data.bin', `If-Modified-Since: ${first.headers['last-modified']}\r\n`));
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    // Playlists change under the same name: always sent again.
    const m3u8 = await rawRequest(h.httpPort, get('/live/s.m3u8', `If-Modified-Since: ${new Date(Date.now() + 60_000).toUTCString()}\r\n`));
    expect(m3u8.status).toBe(200);
    expect((await rawRequest(h.httpPort, get('/live/'))).status).toBe(404);
    expect((await rawRequest(h.httpPort, get('/live/data.bin/'))).status).toBe(404);
  });

  it('leaves CORS headers out and refuses OPTIONS when crossdomain is off', async () => {
    await h.reload(CONF.replace('crossdomain on;', 'crossdomain off;'));
    try {
      const res = await rawRequest(h.httpPort, get('/live/s.m3u8'));
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const options = await rawRequest(h.httpPort, 'OPTIONS /live/s.m3u8 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(options.status).toBe(405);
    } finally {
      await h.reload(CONF);
    }
  });

  it('answers CORS preflight', async () => {
    const res = await rawRequest(h.httpPort, 'OPTIONS /live/s.flv HTTP/1.1\r\nHost: x\r\nOrigin: http://a\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-methods']).toContain('GET');
    expect(res.headers['access-control-allow-headers']).toContain('range');
  });

  it('answers 404 and 405 with small plain-text bodies', async () => {
    const missing = await rawRequest(h.httpPort, get('/nothing/here.txt'));
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^text\/plain/);
    expect(missing.body.toString()).toBe('Not Found');
    const post = await rawRequest(h.httpPort, 'POST /live/s.m3u8 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toContain('GET');
    expect(post.body.toString()).toBe('Method Not Allowed');
  });

  it.each([
    ['/../etc/passwd', 'parent directory'],
    ['/live/../../etc/passwd', 'parent directory'],
    ['/%2e%2e/%2e%2e/etc/passwd', 'parent directory'],
    ['/live/..%2f..%2fetc/passwd', 'encoded path separator'],
    ['/live/s.m3u8%00.txt', 'NUL'],
    ['/escape/secret.txt', 'outside the root'],
  ])('refuses %s with 403 and logs who and why', async (path, reason) => {
    logs.length = 0;
    const res = await rawRequest(h.httpPort, get(path));
    expect(res.status).toBe(403);
    expect(res.body.toString()).not.toContain('secret');
    const line = logs.find((l) => l.includes('refused with 403'));
    expect(line).toMatch(/127\.0\.0\.1:\d+/);
    expect(line).toContain(reason);
  });

  it('rejects a malformed request with 400 and a raw NUL in the target', async () => {
    logs.length = 0;
    const junk = await rawRequest(h.httpPort, 'BLAH\r\n\r\n');
    expect(junk.status).toBe(400);
    expect(logs.some((l) => l.includes('bad request') && /127\.0\.0\.1:\d+/.test(l))).toBe(true);
    const nul = await rawRequest(h.httpPort, Buffer.from('GET /live/s.m3u8\0 HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1'));
    expect(nul.status).toBe(400);
    const badEncoding = await rawRequest(h.httpPort, get('/live/%zz'));
    expect(badEncoding.status).toBe(400);
  });

  it('serves a vhost http_static mount chosen by the Host header', async () => {
    const res = await rawRequest(h.httpPort, 'GET /assets/a.css HTTP/1.1\r\nHost: files.test:8080\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/css/);
    expect(res.body.toString()).toBe('body{}');
    const other = await rawRequest(h.httpPort, get('/assets/a.css'));
    expect(other.status).toBe(404);
  });

  it('serves files over HTTPS', async () => {
    const body = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port: h.httpsPort, path: '/live/s.m3u8', rejectUnauthorized: false }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(body).toEqual({ status: 200, text: '#EXTM3U\n' });
  });

  it('reload changes the mount and the dir without re-listening on the same port', async () => {
    const port = h.httpPort;
    await h.reload(CONF.replace('[stream].flv', '[stream].ts').replace('dir @DIR@;', 'dir @DIR@/live;'));
    expect(h.httpPort).toBe(port);
    const res = await rawRequest(port, get('/data.bin'));
    expect(res.body.toString()).toBe('0123456789abcdefghij');
    const head = await rawRequest(port, 'HEAD /live/x.ts HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(head.headers['content-type']).toBe('video/MP2T');
    await h.reload(CONF);
  });
});
