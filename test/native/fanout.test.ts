import { closeSync, openSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';

import { packageRoot } from '../../src/native/addon.js';

import { TsrsError } from '../../src/core/errors.js';
import { Fanout, type FanoutEventKind } from '../../src/native/fanout.js';

/** A loopback client and the server-side socket it was accepted as. */
interface Connection {
  client: net.Socket;
  server: net.Socket;
  received: Buffer[];
  receivedBytes: number;
}

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function startServer(): Promise<{ connect(count: number, paused?: boolean): Promise<Connection[]> }> {
  const accepted = new Map<number, net.Socket>(); // by the client's local port
  const waiting = new Map<number, (socket: net.Socket) => void>();
  const allSockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => {}); // resets from clients the tests kill on purpose
    allSockets.push(socket);
    const port = socket.remotePort!;
    const resolve = waiting.get(port);
    if (resolve) resolve(socket);
    else accepted.set(port, socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of allSockets) socket.destroy();
        server.close(() => resolve());
      }),
  );

  async function connectOne(paused: boolean): Promise<Connection> {
    const client = net.connect(port, '127.0.0.1');
    client.on('error', () => {});
    cleanups.push(() => void client.destroy());
    const connection: Connection = { client, server: undefined as unknown as net.Socket, received: [], receivedBytes: 0 };
    client.on('data', (chunk: Buffer) => {
      connection.received.push(chunk);
      connection.receivedBytes += chunk.length;
    });
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    if (paused) client.pause();
    const localPort = client.localPort!;
    connection.server =
      accepted.get(localPort) ?? (await new Promise<net.Socket>((resolve) => waiting.set(localPort, resolve)));
    return connection;
  }

  return {
    async connect(count, paused = false) {
      const connections: Connection[] = [];
      for (let i = 0; i < count; i++) connections.push(await connectOne(paused));
      return connections;
    },
  };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function newFanout(options?: ConstructorParameters<typeof Fanout>[0]): Fanout {
  const fanout = new Fanout(options);
  cleanups.push(() => fanout.close());
  return fanout;
}

/** A message that names itself: [u32 index][u32 size][pattern]. */
function message(index: number, size: number): Buffer {
  const m = Buffer.alloc(Math.max(size, 8));
  m.writeUInt32BE(index, 0);
  m.writeUInt32BE(m.length, 4);
  for (let i = 8; i < m.length; i++) m[i] = (index * 7 + i) & 0xff;
  return m;
}

/** The indices of the whole messages in a stream; throws on a torn or corrupt one. */
function messageIndices(stream: Buffer): number[] {
  const indices: number[] = [];
  for (let pos = 0; pos < stream.length; ) {
    const index = stream.readUInt32BE(pos);
    const size = stream.readUInt32BE(pos + 4);
    if (size < 8 || pos + size > stream.length || !stream.subarray(pos, pos + size).equals(message(index, size))) {
      throw new Error(`corrupt message at byte ${pos}`);
    }
    indices.push(index);
    pos += size;
  }
  return indices;
}

describe('Fanout over real TCP sockets', () => {
  it('delivers the preamble and every appended byte to 200 clients', async () => {
    const server = await startServer();
    const connections = await server.connect(200);
    const fanout = newFanout();
    const preamble = Buffer.from('FLV\x01\x05\x00\x00\x00\x09\x00\x00\x00\x00', 'latin1');
    const ids = connections.map((c) => fanout.addSocket(c.server, [preamble], true));
    expect(new Set(ids).size).toBe(200);

    const parts: Buffer[] = [preamble];
    for (let n = 0; n < 60; n++) {
      const m = message(n, 8 + ((n * 997) % 4000));
      // Every third message arrives as pieces, which the log joins into one block.
      if (n % 3 === 0) fanout.append([m.subarray(0, 3), m.subarray(3)], n * 40, n % 10 === 0);
      else fanout.append(m, n * 40, n % 10 === 0);
      parts.push(m);
      if (n % 6 === 5) {
        fanout.flush();
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const expected = Buffer.concat(parts);
    await waitFor(() => connections.every((c) => c.receivedBytes >= expected.length), 'all clients to receive');
    for (const c of connections) expect(Buffer.concat(c.received).equals(expected)).toBe(true);
    expect(fanout.stats()).toMatchObject({ players: 200, bytesSent: 200 * expected.length });
    for (const id of ids) expect(fanout.playerStats(id)).toMatchObject({ state: 'active', dropped: 0 });
  });

  it('a client that never reads neither stalls the others nor grows the log', async () => {
    const server = await startServer();
    const readers = await server.connect(4);
    const [stalled] = await server.connect(1, true);
    const queueLimitMs = 2000;
    const fanout = newFanout({ queueLimitMs });
    const events: Array<[number, FanoutEventKind, string]> = [];
    fanout.onEvent((id, kind, detail) => events.push([id, kind, detail]));
    const readerIds = readers.map((c) => fanout.addSocket(c.server, [], true));
    const stalledId = fanout.addSocket(stalled!.server, [], true);

    const size = 32 * 1024;
    const frameMs = 100;
    let expectedBytes = 0;
    let maxRetained = 0;
    const count = 300;
    for (let n = 0; n < count; n++) {
      fanout.append(message(n, size), n * frameMs, n % 10 === 0);
      expectedBytes += size;
      fanout.flush();
      maxRetained = Math.max(maxRetained, fanout.stats().retainedBytes);
      await waitFor(() => readers.every((c) => c.receivedBytes === expectedBytes), `readers to get message ${n}`);
    }

    for (const c of readers) {
      expect(messageIndices(Buffer.concat(c.received))).toEqual([...Array(count).keys()]);
    }
    for (const id of readerIds) expect(fanout.playerStats(id)?.dropped).toBe(0);
    const stalledStats = fanout.playerStats(stalledId)!;
    expect(stalledStats.state).toBe('blocked');
    expect(stalledStats.dropped).toBeGreaterThan(0);
    // What the laggard may pin: the queue limit's worth of messages plus one GOP in flight.
    expect(maxRetained).toBeLessThanOrEqual((queueLimitMs / frameMs + 12) * size);
    await waitFor(() => events.some(([id, kind]) => id === stalledId && kind === 'skipped'), 'a skipped event');
    expect(events.every(([id]) => id === stalledId)).toBe(true);

    // Reading again, the stalled client gets whole messages, each jump landing on a RAP.
    stalled!.client.resume();
    fanout.flush();
    await waitFor(() => fanout.playerStats(stalledId)?.state === 'active', 'the stalled player to catch up');
    await waitFor(() => stalled!.receivedBytes === fanout.playerStats(stalledId)!.bytesSent, 'the last bytes');
    const indices = messageIndices(Buffer.concat(stalled!.received));
    expect(indices.at(-1)).toBe(count - 1);
    for (let i = 1; i < indices.length; i++) {
      if (indices[i] !== indices[i - 1]! + 1) expect(indices[i]! % 10).toBe(0);
    }
  });

  it('removePlayer returns the totals and lets the connection close cleanly', async () => {
    const server = await startServer();
    const [c] = await server.connect(1);
    const fanout = newFanout();
    const id = fanout.addSocket(c!.server, [Buffer.from('hello')], false);
    fanout.append(message(0, 1000), 0, true);
    fanout.flush();
    await waitFor(() => c!.receivedBytes === 1005, 'the first bytes');

    const ended = new Promise<boolean>((resolve) => {
      let errored = false;
      c!.client.on('error', () => (errored = true));
      c!.client.on('close', () => resolve(!errored));
    });
    c!.client.on('end', () => c!.client.end());
    expect(fanout.removePlayer(id)).toEqual({ bytesSent: 1005, dropped: 0 });
    expect(fanout.removePlayer(id)).toBeUndefined();
    expect(fanout.playerStats(id)).toBeUndefined();
    expect(fanout.send(id, Buffer.from('x'))).toBe(false);
    fanout.append(message(1, 1000), 40, false);
    fanout.flush();
    c!.server.end();
    expect(await ended).toBe(true);
    expect(c!.receivedBytes).toBe(1005);
    expect(fanout.stats().players).toBe(0);
  });

  it('reports a dead event for a client that went away, and keeps serving the rest', async () => {
    const server = await startServer();
    const [gone, alive] = await server.connect(2);
    const fanout = newFanout();
    const events: Array<[number, FanoutEventKind, string]> = [];
    fanout.onEvent((id, kind, detail) => events.push([id, kind, detail]));
    const goneId = fanout.addSocket(gone!.server, [], false);
    const aliveId = fanout.addSocket(alive!.server, [], false);
    gone!.client.resetAndDestroy();

    let n = 0;
    let expected = 0;
    await waitFor(() => {
      fanout.append(message(n++, 500), n * 10, true);
      expected += 500;
      fanout.flush();
      return events.length > 0;
    }, 'a dead event');
    expect(events[0]![0]).toBe(goneId);
    expect(events[0]![1]).toBe('dead');
    expect(events[0]![2]).toMatch(/EPIPE|ECONNRESET/);
    expect(fanout.playerStats(goneId)?.state).toBe('dead');
    await waitFor(() => alive!.receivedBytes === expected, 'the live client to get everything');
    expect(fanout.playerStats(aliveId)).toMatchObject({ state: 'active', dropped: 0 });
    expect(fanout.removePlayer(goneId)).toBeDefined();
  });

  it('control blocks sent to a player go out at once, between messages', async () => {
    const server = await startServer();
    const [c] = await server.connect(1);
    const fanout = newFanout();
    const id = fanout.addSocket(c!.server, [], false);
    fanout.append(message(0, 100), 0, true);
    fanout.flush();
    expect(fanout.send(id, message(1000, 20))).toBe(true); // written without waiting for a flush
    await waitFor(() => c!.receivedBytes === 120, 'the control block');
    expect(messageIndices(Buffer.concat(c!.received))).toEqual([0, 1000]);
  });

  it('close() with a blocked, polled player frees everything; later calls fail with Closed', async () => {
    const server = await startServer();
    const [stalled] = await server.connect(1, true);
    const fanout = new Fanout();
    const id = fanout.addSocket(stalled!.server, [], false);
    for (let n = 0; n < 200 && fanout.playerStats(id)?.state !== 'blocked'; n++) {
      fanout.append(message(n, 64 * 1024), n, false);
      fanout.flush();
    }
    expect(fanout.playerStats(id)?.state).toBe('blocked');
    fanout.close();
    fanout.close();
    expect(fanout.stats()).toEqual({ players: 0, messages: 0, retainedBytes: 0, bytesSent: 0 });
    expect(fanout.playerStats(id)).toBeUndefined();
    expect(() => fanout.flush()).toThrow(expect.objectContaining({ code: 'Closed' }));
    // The connection is now Node's alone again: destroying its socket closes it.
    const closed = new Promise((resolve) => stalled!.client.on('close', resolve));
    stalled!.client.resume();
    stalled!.server.destroy();
    await closed;
  });

  it('rejects what is not a socket', async () => {
    const fanout = newFanout();
    const path = join(tmpdir(), `tsrs-fanout-${process.pid}.txt`);
    const fd = openSync(path, 'w');
    try {
      expect(() => fanout.addPlayer(fd, [], true)).toThrow(expect.objectContaining({ code: 'BadFd' }));
    } finally {
      closeSync(fd);
    }
    expect(() => fanout.addPlayer(-1, [], true)).toThrow(expect.objectContaining({ code: 'BadFd' }));
    expect(() => fanout.addSocket(new net.Socket(), [], true)).toThrow(TsrsError);
    expect(() => new Fanout({ queueLimitMs: -1 })).toThrow(expect.objectContaining({ code: 'BadArgument' }));
    expect(() => fanout.append('text' as unknown as Buffer, 0, true)).toThrow(
      expect.objectContaining({ code: 'BadArgument' }),
    );
    expect(fanout.stats().players).toBe(0);
  });

  it('a garbage-collected FanoutLog stops polling and closes its fds', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const server = await startServer();
    const [c] = await server.connect(1, true);
    (() => {
      const fanout = new Fanout();
      const id = fanout.addSocket(c!.server, [], false);
      for (let n = 0; n < 200 && fanout.playerStats(id)?.state !== 'blocked'; n++) {
        fanout.append(message(n, 64 * 1024), n, true);
        fanout.flush();
      }
      expect(fanout.playerStats(id)?.state).toBe('blocked');
    })();
    let closed = false;
    c!.client.on('close', () => (closed = true));
    c!.server.destroy(); // Node's fd; the connection lives on while the native dup is open
    c!.client.resume();
    await waitFor(() => {
      gc();
      return closed;
    }, 'the collected log to close its dup');
  });

  it('a worker exiting with a blocked player tears down without leaking fds', async () => {
    const fdCount = () => readdirSync('/proc/self/fd').length;
    const before = fdCount();
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      const net = require('node:net');
      const { createRequire } = require('node:module');
      const addon = createRequire(workerData.root + '/package.json')('node-gyp-build')(workerData.root);
      const server = net.createServer((socket) => {
        socket.on('error', () => {});
        const fanout = new addon.FanoutLog();
        fanout.onEvent(() => {});
        const id = fanout.addPlayer(socket._handle.fd, [], false);
        for (let n = 0; n < 200 && fanout.playerStats(id).state !== 'blocked'; n++) {
          fanout.append(Buffer.alloc(65536, n), n, true);
          fanout.flush();
        }
        parentPort.postMessage(fanout.playerStats(id).state);
      }).listen(0, '127.0.0.1', () => {
        const client = net.connect(server.address().port, '127.0.0.1');
        client.on('error', () => {});
        client.pause();
      });
    `;
    const worker = new Worker(source, { eval: true, workerData: { root: packageRoot } });
    const state = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    expect(state).toBe('blocked');
    await worker.terminate();
    await waitFor(() => fdCount() <= before, 'the worker to release its fds');
  });
});

