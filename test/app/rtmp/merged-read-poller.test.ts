import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InputGate } from '../../../src/app/rtmp/input-gate.js';
import { MergedReadPoller, type MergedReader } from '../../../src/app/rtmp/merged-read-poller.js';

/** A loopback connection whose server side is stopped as a publisher in merged read is. */
async function stoppedPair(servers: Server[]): Promise<{ client: Socket; server: Socket }> {
  const server = createServer();
  servers.push(server);
  const accepted = new Promise<Socket>((resolve) =>
    server.on('connection', (socket) => {
      new InputGate(socket).hold('merged-read');
      resolve(socket);
    }),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const client = connect(port, '127.0.0.1');
  await once(client, 'connect');
  return { client, server: await accepted };
}

function recorder(socket: Socket, napMs: number) {
  const reads: { at: number; bytes: Buffer }[] = [];
  const ends: string[] = [];
  let ready = true;
  const reader: MergedReader = {
    socket,
    napMs: () => napMs,
    ready: () => ready,
    onBytes: (bytes) => reads.push({ at: Date.now(), bytes: Buffer.from(bytes) }),
    onEnd: (reason) => ends.push(reason),
  };
  return { reader, reads, ends, setReady: (r: boolean) => (ready = r) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('merged-read poller', () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
  });

  it('reads a stopped socket once per nap, everything it holds, then reports its end', async () => {
    const { client, server } = await stoppedPair(servers);
    const poller = new MergedReadPoller();
    const r = recorder(server, 200);
    expect(poller.add(r.reader)).toBeTypeOf('function');
    const started = Date.now();
    for (let i = 0; i < 10; i++) {
      client.write(Buffer.alloc(100, i));
      await sleep(40);
    }
    await sleep(300);
    const all = Buffer.concat(r.reads.map((x) => x.bytes));
    expect(all).toEqual(Buffer.concat(Array.from({ length: 10 }, (_, i) => Buffer.alloc(100, i))));
    // 10 writes over ~400 ms arrive in about three reads, none before the first nap ended.
    expect(r.reads.length).toBeLessThanOrEqual(4);
    expect(r.reads[0]!.at - started).toBeGreaterThanOrEqual(190);
    client.end();
    await sleep(300);
    expect(r.ends).toEqual(['peer closed']);
    expect(poller.size).toBe(0);
    server.destroy();
  });

  it('waits while the reader is not ready, and stops when told to', async () => {
    const { client, server } = await stoppedPair(servers);
    const poller = new MergedReadPoller();
    const r = recorder(server, 20);
    const stop = poller.add(r.reader)!;
    r.setReady(false);
    client.write('held');
    await sleep(150);
    expect(r.reads).toEqual([]);
    r.setReady(true);
    await sleep(150);
    expect(Buffer.concat(r.reads.map((x) => x.bytes)).toString()).toBe('held');
    stop();
    expect(poller.size).toBe(0);
    client.write('not read');
    await sleep(100);
    expect(r.reads.length).toBe(1);
    client.destroy();
    server.destroy();
  });

  it('never reads a socket Node destroyed: its descriptor may belong to another connection by now', async () => {
    const { client, server } = await stoppedPair(servers);
    const poller = new MergedReadPoller();
    const r = recorder(server, 20);
    poller.add(r.reader);
    client.write('before');
    await sleep(100);
    server.destroy();
    // The next connection is likely to get the same descriptor number.
    const next = await stoppedPair(servers);
    next.client.write('someone else');
    await sleep(150);
    expect(Buffer.concat(r.reads.map((x) => x.bytes)).toString()).toBe('before');
    expect(r.ends).toEqual([]);
    expect(poller.size).toBe(0);
    client.destroy();
    next.client.destroy();
    next.server.destroy();
  });
});
