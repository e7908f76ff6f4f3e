import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Socket } from 'node:net';
import { TsrsError } from '../../../src/core/errors.js';
import { RtmpClient, serverInfo, type RtmpMediaMessage } from '../../../src/protocol/rtmp/client.js';
import { RtmpStatusError } from '../../../src/protocol/rtmp/client-status.js';
import { parseRtmpUrl } from '../../../src/protocol/rtmp/client-url.js';
import { decodeData } from '../../../src/protocol/rtmp/messages-command.js';
import { decodeUserControl, encodeUserControl } from '../../../src/protocol/rtmp/messages-control.js';
import { captureLogs, type LogCapture } from '../../helpers/rtmp-logs.js';
import { answerBasics, startFakeRtmpServer } from '../../helpers/rtmp-fake-server.js';
import { startRtmpTestServer, type RtmpTestServer } from '../../helpers/rtmp-server.js';
import { DATA, sendPaced, syntheticStream } from '../../helpers/rtmp-media.js';

async function rejection(promise: Promise<unknown>): Promise<TsrsError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(TsrsError);
    return err as TsrsError;
  }
  throw new Error('expected a rejection');
}

describe('parseRtmpUrl', () => {
  it('splits app, stream and both queries as SRS does', () => {
    expect(parseRtmpUrl('rtmp://h:1936/live/s')).toEqual({ host: 'h', port: 1936, app: 'live', stream: 's', tcUrl: 'rtmp://h:1936/live' });
    expect(parseRtmpUrl('rtmp://h/live/s?token=abc&x=1')).toMatchObject({ port: 1935, app: 'live', stream: 's?token=abc&x=1' });
    expect(parseRtmpUrl('rtmp://h/live?vhost=v/s?k=1')).toMatchObject({ app: 'live?vhost=v', stream: 's?k=1', tcUrl: 'rtmp://h:1935/live?vhost=v' });
    expect(parseRtmpUrl('rtmp://h/a/b/s')).toMatchObject({ app: 'a/b', stream: 's' });
    expect(parseRtmpUrl('rtmp://h/live')).toMatchObject({ app: 'live', stream: '' });
    expect(parseRtmpUrl('rtmp://[::1]:19350/live/s')).toMatchObject({ host: '::1', port: 19350, tcUrl: 'rtmp://[::1]:19350/live' });
  });

  it('rejects what is not an rtmp url', () => {
    for (const bad of ['http://h/live/s', 'rtmp://', 'rtmp://h', 'rtmp://h:0/live/s', 'rtmp://h:99999/live/s', 'live/s']) {
      expect(() => parseRtmpUrl(bad), bad).toThrow(TsrsError);
    }
  });
});

describe('RtmpClient against the tsrs server', () => {
  let server: RtmpTestServer;
  let logs: LogCapture;

  beforeAll(async () => {
    logs = captureLogs();
    server = await startRtmpTestServer({ live: { mwLatencyMs: 0 } });
  });
  afterAll(async () => {
    await server.close();
    logs.stop();
  });

  for (const handshake of ['complex', 'simple'] as const) {
    it(`connects with a ${handshake} handshake`, async () => {
      const client = await RtmpClient.connect(server.url('live/hs'), { handshake });
      expect(client.handshakeMode).toBe(handshake);
      expect(client.connectInfo.code).toBe('NetConnection.Connect.Success');
      expect(String(serverInfo(client.connectInfo).srs_server)).toMatch(/tsrs|SRS/i);
      await client.close();
      expect(client.closed).toBe(true);
    });
  }

  it('round-trips published messages byte-exact, timestamps rebased to 0 by time_jitter full', async () => {
    const player = await RtmpClient.connect(server.url('live/rt'));
    const messages = syntheticStream({ frames: 50, startTimestamp: 10_000, videoSize: 5000 });
    const media = player.media();
    await player.play();
    const publisher = await RtmpClient.connect(server.url('live/rt'), { handshake: 'simple' });
    const started = await publisher.publish();
    expect(started.code).toBe('NetStream.Publish.Start');
    publisher.sendMetadata({ width: 320, height: 240, custom: 'x' }, 10_000);
    await sendPaced(publisher, messages, { speed: Infinity });

    const got: RtmpMediaMessage[] = [];
    const timer = setTimeout(() => player.destroy(), 5000);
    for await (const m of media) {
      got.push(m);
      if (got.length === messages.length + 1) break;
    }
    clearTimeout(timer);
    expect(got.length).toBe(messages.length + 1);
    const [meta, ...av] = got;
    expect(meta!.typeId).toBe(DATA);
    expect(meta!.timestamp).toBe(0);
    const data = decodeData(meta!.typeId, meta!.payload);
    expect(data.name).toBe('onMetaData');
    expect(data.values[0]).toMatchObject({ width: 320, height: 240, custom: 'x' });
    for (let i = 0; i < messages.length; i++) {
      expect(av[i]!.typeId, `message ${i}`).toBe(messages[i]!.typeId);
      expect(av[i]!.payload.equals(messages[i]!.payload), `payload ${i}`).toBe(true);
      expect(av[i]!.timestamp, `timestamp ${i}`).toBe(messages[i]!.timestamp - 10_000);
    }
    const unpublished = player.waitForStatus('NetStream.Play.UnpublishNotify');
    await publisher.close();
    expect((await unpublished).code).toBe('NetStream.Play.UnpublishNotify');
    await player.close();
  });

  it('rejects a second publisher with NetStream.Publish.BadName and closes its socket', async () => {
    const first = await RtmpClient.connect(server.url('live/busy'));
    await first.publish();
    const second = await RtmpClient.connect(server.url('live/busy'));
    const closed = new Promise((resolve) => second.once('close', resolve));
    const err = await rejection(second.publish());
    expect(err).toBeInstanceOf(RtmpStatusError);
    expect(err.codeName).toBe('RtmpStreamBusy');
    expect((err as RtmpStatusError).status.code).toBe('NetStream.Publish.BadName');
    expect(err.describe()).toMatch(/already published/);
    await closed;
    expect(first.closed).toBe(false);
    await first.close();
  });

  it('rejects connect with the server\'s _error description', async () => {
    server.ctx.guards.onConnect = async () => {
      throw new TsrsError('RtmpAccessDenied', 'token missing');
    };
    try {
      const err = await rejection(RtmpClient.connect(server.url('live/denied')));
      expect(err.codeName).toBe('RtmpAccessDenied');
      expect(err.describe()).toMatch(/NetConnection\.Connect\.Rejected.*token missing/);
    } finally {
      server.ctx.guards.onConnect = undefined;
    }
  });

  it('emits close with the reason when the server kicks it', async () => {
    const client = await RtmpClient.connect(server.url('live/kick'));
    await client.play();
    const closed = new Promise<TsrsError | undefined>((resolve) => client.once('close', resolve));
    for (const entry of server.ctx.clients.values()) entry.kick('test kick');
    const error = await closed;
    expect(error?.codeName).toBe('SocketClosed');
    expect(client.closed).toBe(true);
    expect(() => client.sendVideo(0, Buffer.alloc(1))).toThrow(TsrsError);
  });

  it('turns a throwing listener into a closed connection, not a crash', async () => {
    const publisher = await RtmpClient.connect(server.url('live/throw'));
    await publisher.publish();
    const player = await RtmpClient.connect(server.url('live/throw'));
    player.on('media', () => {
      throw new Error('listener bug');
    });
    const closed = new Promise<TsrsError | undefined>((resolve) => player.once('close', resolve));
    await player.play();
    await sendPaced(publisher, syntheticStream({ frames: 2 }), { speed: Infinity });
    expect((await closed)?.describe()).toMatch(/message listener: listener bug/);
    await publisher.close();
  });

  it('refuses sending media before publish', async () => {
    const client = await RtmpClient.connect(server.url('live/x'));
    expect(() => client.sendAudio(0, Buffer.from([0xaf, 1, 0]))).toThrow(/before publish/);
    await client.close();
  });
});

describe('RtmpClient failure paths', () => {
  it('rejects with SocketClosed when nothing listens', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const err = await rejection(RtmpClient.connect(`rtmp://127.0.0.1:${port}/live/s`, { timeoutMs: 2000 }));
    expect(err.codeName).toBe('SocketClosed');
    expect(err.describe()).toMatch(/ECONNREFUSED/);
  });

  it('times out a silent server and closes its socket', async () => {
    const sockets: Socket[] = [];
    const closedOnServer: Promise<void>[] = [];
    const silent = createServer((s) => {
      sockets.push(s);
      s.resume(); // read, or the client's FIN is never seen
      closedOnServer.push(new Promise((r) => s.on('close', () => r())));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const started = Date.now();
    const err = await rejection(RtmpClient.connect(`rtmp://127.0.0.1:${port}/live/s`, { timeoutMs: 300 }));
    expect(err.codeName).toBe('SocketTimeout');
    expect(err.describe()).toMatch(/handshake in 300 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
    await Promise.all(closedOnServer);
    await new Promise((r) => silent.close(r));
  });

  it('rejects a server that is not RTMP (TLS-like S0)', async () => {
    const tls = createServer((s) => {
      s.on('error', () => undefined);
      s.resume();
      s.write(Buffer.concat([Buffer.from([0x16, 0x03, 0x01]), Buffer.alloc(2000, 7)]));
    });
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    const port = (tls.address() as { port: number }).port;
    const err = await rejection(RtmpClient.connect(`rtmp://127.0.0.1:${port}/live/s`, { timeoutMs: 2000 }));
    expect(err.codeName).toBe('RtmpPlainRequired');
    await new Promise((r) => tls.close(r));
  });

  it('times out a step the server never answers (play) and closes the socket', async () => {
    const fake = await startFakeRtmpServer((cmd, session) => void answerBasics(cmd, session));
    const client = await RtmpClient.connect(`rtmp://127.0.0.1:${fake.port}/live/s`, { timeoutMs: 400 });
    const err = await rejection(client.play());
    expect(err.codeName).toBe('SocketTimeout');
    expect(err.describe()).toMatch(/NetStream\.Play\.Start/);
    expect(client.closed).toBe(true);
    expect(fake.commands.map((c) => c.name)).toEqual(['connect', 'createStream', 'play']);
    await fake.close();
  });

  it('answers the server\'s ping requests', async () => {
    const fake = await startFakeRtmpServer((cmd, session) => {
      answerBasics(cmd, session);
      if (cmd.name === 'connect') session.control(4, encodeUserControl({ eventType: 6, eventData: 0x12345678 }));
    });
    const client = await RtmpClient.connect(`rtmp://127.0.0.1:${fake.port}/live/s`);
    const deadline = Date.now() + 2000;
    const pong = () => fake.messages.find((m) => m.typeId === 4 && decodeUserControl(m.payload).eventType === 7);
    while (!pong() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(decodeUserControl(pong()!.payload).eventData).toBe(0x12345678);
    await client.close();
    await fake.close();
  });

  it('rejects a createStream answered with garbage', async () => {
    const fake = await startFakeRtmpServer((cmd, session) => {
      if (cmd.name === 'createStream') session.command('_result', cmd.transactionId, null, 'nope');
      else answerBasics(cmd, session);
    });
    const client = await RtmpClient.connect(`rtmp://127.0.0.1:${fake.port}/live/s`);
    const err = await rejection(client.publish());
    expect(err.describe()).toMatch(/stream id of nope/);
    expect(client.closed).toBe(true);
    await fake.close();
  });
});

describe('RtmpClient redirects (SRS RTMP 302)', () => {
  let server: RtmpTestServer;
  beforeAll(async () => {
    server = await startRtmpTestServer({ live: { mwLatencyMs: 0 } });
  });
  afterAll(() => server.close());

  const redirectStatus = (target: string) => ({
    level: 'error',
    code: 'NetConnection.Connect.Rejected',
    description: 'RTMP 302 Redirect',
    ex: { code: 302, redirect: target },
  });

  it('follows a redirect on connect once, and only when asked to', async () => {
    const target = server.url('live/redir');
    const fake = await startFakeRtmpServer((cmd, session) => {
      if (cmd.name === 'connect') session.command('_error', cmd.transactionId, null, redirectStatus(target));
    });
    const url = `rtmp://127.0.0.1:${fake.port}/live/redir`;
    const err = await rejection(RtmpClient.connect(url));
    expect(err.codeName).toBe('RtmpRedirect');
    expect((err as RtmpStatusError).redirect).toBe(target);

    const client = await RtmpClient.connect(url, { followRedirect: true });
    expect(client.redirectedTo).toBe(target);
    expect(client.url.port).toBe(server.port);
    await client.publish();
    expect(server.source('live/redir')?.isPublishing).toBe(true);
    await client.close();
    await fake.close();
  });

  it('follows a redirect answered to play and plays from the target', async () => {
    const target = server.url('live/redir-play');
    const fake = await startFakeRtmpServer((cmd, session) => {
      if (answerBasics(cmd, session)) return;
      if (cmd.name === 'play') session.onStatus(redirectStatus(target));
    });
    const publisher = await RtmpClient.connect(target);
    await publisher.publish();
    const player = await RtmpClient.connect(`rtmp://127.0.0.1:${fake.port}/live/other`, { followRedirect: true });
    const media = player.media();
    const closes: unknown[] = [];
    player.on('close', (e) => closes.push(e));
    await player.play();
    expect(player.redirectedTo).toBe(target);
    expect(closes).toEqual([]);
    await sendPaced(publisher, syntheticStream({ frames: 3 }), { speed: Infinity });
    const first = await media.next();
    expect(first.done).toBe(false);
    await publisher.close();
    await player.close();
    await fake.close();
  });

  it('does not follow a second redirect', async () => {
    let fakePort = 0;
    const fake = await startFakeRtmpServer((cmd, session) => {
      if (cmd.name === 'connect') session.command('_error', cmd.transactionId, null, redirectStatus(`rtmp://127.0.0.1:${fakePort}/live/loop`));
    });
    fakePort = fake.port;
    const err = await rejection(RtmpClient.connect(`rtmp://127.0.0.1:${fake.port}/live/loop`, { followRedirect: true }));
    expect(err.codeName).toBe('RtmpRedirect');
    expect(fake.connections).toBe(2);
    await fake.close();
  });
});
