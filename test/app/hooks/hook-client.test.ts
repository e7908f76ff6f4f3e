import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { TsrsError } from '../../../src/core/errors.js';
import { checkHookAnswer, sendHookRequest } from '../../../src/app/hooks/hook-client.js';
import { startHookServer, type HookServer } from '../../helpers/api-server.js';

async function verdict(server: HookServer, status: number, body: string): Promise<string> {
  server.respond = (_req, res) => {
    res.writeHead(status);
    res.end(body);
  };
  const url = server.url('/hook');
  try {
    checkHookAnswer(url, await sendHookRequest(url, { method: 'POST', body: '{}', timeoutMs: 2000, maxBodyBytes: 1024 }));
    return 'allow';
  } catch (err) {
    expect(err).toBeInstanceOf(TsrsError);
    expect((err as TsrsError).code).toBe(3007);
    return 'deny';
  }
}

/** A port nothing listens on. */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('hook requests and SRS answer rules', () => {
  let server: HookServer;
  beforeAll(async () => (server = await startHookServer()));
  afterAll(() => server.close());

  it('posts JSON with SRS-like headers', async () => {
    server.respond = (_req, res) => res.end('0');
    await sendHookRequest(server.url('/api/v1/streams'), { method: 'POST', body: '{"a":1}', timeoutMs: 2000, maxBodyBytes: 64 });
    const last = server.requests.at(-1)!;
    expect(last).toMatchObject({ method: 'POST', path: '/api/v1/streams', body: '{"a":1}' });
    expect(last.headers['content-type']).toBe('application/json');
    expect(last.headers['content-length']).toBe('7');
  });

  it('allows HTTP 200 with 0 or a JSON object whose code is 0', async () => {
    expect(await verdict(server, 200, '0')).toBe('allow');
    expect(await verdict(server, 200, ' 0\n')).toBe('allow');
    expect(await verdict(server, 200, '{"code":0}')).toBe('allow');
    expect(await verdict(server, 200, '{"code":0,"data":{"x":1},"msg":"ok"}')).toBe('allow');
  });

  it('denies any other answer', async () => {
    expect(await verdict(server, 200, '{"code":1}')).toBe('deny');
    expect(await verdict(server, 200, '{"code":"0"}')).toBe('deny');
    expect(await verdict(server, 200, '{"data":0}')).toBe('deny');
    expect(await verdict(server, 200, '1')).toBe('deny');
    expect(await verdict(server, 200, '[0]')).toBe('deny');
    expect(await verdict(server, 200, 'null')).toBe('deny');
    expect(await verdict(server, 200, '')).toBe('deny');
    expect(await verdict(server, 200, 'ok')).toBe('deny');
    expect(await verdict(server, 500, '0')).toBe('deny');
    expect(await verdict(server, 302, '0')).toBe('deny');
    expect(await verdict(server, 200, 'x'.repeat(5000))).toBe('deny');
  });

  it('fails (coded) when the server is unreachable, silent, or the URL is bad', async () => {
    const port = await deadPort();
    await expect(sendHookRequest(`http://127.0.0.1:${port}/x`, { method: 'POST', body: '{}', timeoutMs: 2000, maxBodyBytes: 64 })).rejects.toMatchObject({ code: 3007 });
    server.respond = () => undefined; // never answers
    const started = Date.now();
    await expect(sendHookRequest(server.url('/slow'), { method: 'POST', body: '{}', timeoutMs: 300, maxBodyBytes: 64 })).rejects.toThrow(/no answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(sendHookRequest('not a url', { method: 'GET', timeoutMs: 100, maxBodyBytes: 1 })).rejects.toMatchObject({ code: 3007 });
    await expect(sendHookRequest('ftp://127.0.0.1/x', { method: 'GET', timeoutMs: 100, maxBodyBytes: 1 })).rejects.toMatchObject({ code: 3007 });
  });

  it('truncates a notify answer instead of failing', async () => {
    server.respond = (_req, res) => res.end('y'.repeat(10_000));
    const res = await sendHookRequest(server.url('/notify'), { method: 'GET', timeoutMs: 2000, maxBodyBytes: 64, truncate: true });
    expect(res).toEqual({ status: 200, body: 'y'.repeat(64) });
  });
});
