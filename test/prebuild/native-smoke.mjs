// A smoke test of an installed tsrs package, run by whatever Node loads it: the host's, or
// Debian's arm64/armhf Node under qemu-user (prebuild.test.ts). Plain JS on purpose: it
// runs the package's compiled dist/ and node_modules exactly as a user's install does.
//
//   node native-smoke.mjs <package-root>
//
// Checks: the addon resolves to the expected file and loads; an RTMP message encodes to the
// golden header bytes and demuxes back whole, fed in pieces; a FanoutLog writes its log to
// a real loopback socket; and a full server (the CLI's TsrsServer, from a config file)
// relays a published stream to a player. Prints one line `SMOKE OK {json}`, or throws.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(process.argv[2] ?? '.');
const requireFromPackage = createRequire(join(root, 'package.json'));
const dist = (path) => import(pathToFileURL(join(root, 'dist', path)).href);
const started = Date.now();
const timings = {};
async function step(name, run) {
  const t0 = Date.now();
  await run();
  timings[name] = Date.now() - t0;
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// --- the addon loads, from the file node-gyp-build picks -----------------------------------
const loadedFrom = requireFromPackage('node-gyp-build').path(root);
const { addon } = await dist('native/addon.js');
assert.deepEqual(Object.keys(addon).sort(), ['ChunkDemuxer', 'FanoutLog', 'encodeMessage', 'readSocket', 'socketReadErrno']);

// --- RTMP chunking: golden header bytes, then a byte-exact round trip -----------------------
await step('chunk', async () => {
  const { RtmpChunkDemuxer, encodeRtmpMessage } = await dist('native/rtmp-chunk.js');
  const payload = Buffer.alloc(1000, 0);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + 7) & 0xff;
  // Timestamp above 0xffffff (extended field), a stream id whose LE bytes differ from BE.
  const big = { csid: 6, typeId: 9, timestamp: 0x01020304, streamId: 0x01020304, payload };
  const small = { csid: 4, typeId: 8, timestamp: 100, streamId: 1, payload: Buffer.from([0xaf, 0x01, 0x21]) };
  const bigBytes = encodeRtmpMessage(big, 128);
  assert.equal(
    bigBytes.subarray(0, 16).toString('hex'),
    // fmt 0 csid 6 | ts 0xffffff | length 1000 BE | type 9 | stream id LE | extended ts BE
    '06' + 'ffffff' + '0003e8' + '09' + '04030201' + '01020304',
  );
  // 1000 bytes at chunk size 128: 8 chunks, 7 fmt 3 headers (each repeating the extended ts).
  assert.equal(bigBytes.length, 16 + 1000 + 7 * 5);
  const wire = Buffer.concat([bigBytes, encodeRtmpMessage(small, 128)]);
  for (const piece of [1, 7, wire.length]) {
    const demuxer = new RtmpChunkDemuxer();
    const out = [];
    for (let at = 0; at < wire.length; at += piece) out.push(...demuxer.feed(wire.subarray(at, at + piece)));
    assert.equal(out.length, 2, `split every ${piece} bytes`);
    for (const [got, want] of [[out[0], big], [out[1], small]]) {
      assert.deepEqual({ ...got, payload: got.payload.toString('hex') }, { ...want, payload: want.payload.toString('hex') });
    }
    assert.equal(demuxer.bytesReceived, wire.length);
  }
  assert.throws(() => new RtmpChunkDemuxer({ maxMessageSize: 100 }).feed(bigBytes), /MessageTooLarge/);
});

// --- FanoutLog: native writes to a real socket ---------------------------------------------
await step('fanout', async () => {
  const { Fanout } = await dist('native/fanout.js');
  const server = net.createServer();
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const accepted = new Promise((ok) => server.once('connection', ok));
  const client = net.connect(server.address().port, '127.0.0.1');
  const received = [];
  client.on('data', (chunk) => received.push(chunk));
  const serverSide = await accepted;
  const fanout = new Fanout();
  const preamble = Buffer.from('preamble|');
  const messages = [Buffer.from('key frame|'), Buffer.alloc(70_000, 0x5a), Buffer.from('|delta')];
  const player = fanout.addSocket(serverSide, [preamble], true);
  fanout.append(messages[0], 0, true);
  fanout.append(messages[1], 40, false);
  fanout.flush();
  fanout.append(messages[2], 80, false);
  fanout.flush();
  const want = Buffer.concat([preamble, ...messages]);
  await withTimeout(
    (async () => {
      while (Buffer.concat(received).length < want.length) await new Promise((ok) => setTimeout(ok, 5));
    })(),
    10_000,
    'fanout bytes',
  );
  assert.ok(Buffer.concat(received).equals(want), 'fanout bytes differ');
  assert.equal(fanout.removePlayer(player)?.bytesSent, want.length);
  fanout.close();
  client.destroy();
  serverSide.destroy();
  await new Promise((ok) => server.close(ok));
});

// --- a full server relays publish -> play ---------------------------------------------------
const relayed = { sent: 0, received: 0 };
await step('rtmp', async () => {
  const { readConfigFile } = await dist('server/config-file.js');
  const { TsrsServer } = await dist('server/server.js');
  const { RtmpClient } = await dist('protocol/rtmp/client.js');

  const port = await new Promise((ok) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address();
      probe.close(() => ok(free));
    });
  });
  const dir = mkdtempSync(join(tmpdir(), 'tsrs-smoke-'));
  const conf = join(dir, 'smoke.conf');
  writeFileSync(
    conf,
    `listen ${port};\ndaemon off;\nsrs_log_tank console;\nsrs_log_level warn;\npid ${join(dir, 'tsrs.pid')};\n` +
      'vhost __defaultVhost__ {\n}\n',
  );
  const tsrs = new TsrsServer(conf, readConfigFile(conf).config);
  await tsrs.start();
  try {
    const url = `rtmp://127.0.0.1:${port}/live/smoke`;
    const publisher = await RtmpClient.connect(url, { timeoutMs: 20_000 });
    await publisher.publish();
    const sps = Buffer.from('6742c01e95a0a0fd00', 'hex');
    const pps = Buffer.from('68ce3c80', 'hex');
    const avcHeader = Buffer.concat([
      Buffer.from([0x17, 0x00, 0, 0, 0, 0x01, 0x42, 0xc0, 0x1e, 0xff, 0xe1, 0, sps.length]),
      sps,
      Buffer.from([0x01, 0, pps.length]),
      pps,
    ]);
    publisher.sendVideo(0, avcHeader);
    publisher.sendAudio(0, Buffer.from([0xaf, 0x00, 0x12, 0x10]));
    const frame = (index, key) => {
      const body = Buffer.alloc(3000, index & 0xff);
      body[0] = key ? 0x65 : 0x41;
      body.writeUInt32BE(index, 1);
      const header = Buffer.from([key ? 0x17 : 0x27, 0x01, 0, 0, 0, 0, 0, 0, 0]);
      header.writeUInt32BE(body.length, 5);
      return Buffer.concat([header, body]);
    };
    publisher.sendVideo(0, frame(0, true));
    await publisher.drained();

    const player = await RtmpClient.connect(url, { timeoutMs: 20_000 });
    const media = player.media();
    await player.play();
    // The player starts at the cached GOP: sequence headers and frame 0, then live frames.
    const frames = 10;
    for (let i = 1; i < frames; i++) publisher.sendVideo(i * 40, frame(i, false));
    relayed.sent = frames;
    await publisher.drained();
    const seen = new Set();
    await withTimeout(
      (async () => {
        for await (const message of media) {
          if (message.typeId !== 9 || message.payload[1] !== 0x01) continue;
          const index = message.payload.readUInt32BE(10);
          assert.ok(message.payload.equals(frame(index, index === 0)), `frame ${index} differs`);
          seen.add(index);
          if (seen.size === frames) break;
        }
      })(),
      30_000,
      'frames at the player',
    );
    relayed.received = seen.size;
    await player.close();
    await publisher.close();
  } finally {
    await tsrs.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

console.log(
  'SMOKE OK ' +
    JSON.stringify({
      arch: process.arch,
      node: process.version,
      napi: process.versions.napi,
      loadedFrom,
      relayed,
      ms: { total: Date.now() - started, ...timings },
    }),
);
// Whatever handles a library keeps open, the smoke test is over.
process.exit(0);
