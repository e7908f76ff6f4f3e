import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { RtmpClient } from '../../../src/protocol/rtmp/client.js';
import { encodeUserControl, encodeWindowAckSize } from '../../../src/protocol/rtmp/messages-control.js';
import { captureLogs, type LogCapture } from '../../helpers/rtmp-logs.js';
import { audioFrame, sendPaced, syntheticStream } from '../../helpers/rtmp-media.js';
import { startPlayer, type RecordingPlayer } from '../../helpers/rtmp-player.js';
import { closedWithin, commandBytes, connectBytes, messageBytes, openSocket, rawSession } from '../../helpers/rtmp-raw.js';
import { startRtmpTestServer, type RtmpTestServer } from '../../helpers/rtmp-server.js';

/** A Set Chunk Size message with a raw 32-bit value (the encoder would mask the top bit). */
function setChunkSizeBytes(value: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(value >>> 0, 0);
  return messageBytes(2, 1, 0, 0, payload);
}

describe('RTMP bad input closes only the offending connection', () => {
  let server: RtmpTestServer;
  let logs: LogCapture;
  let publisher: RtmpClient;
  let player: RecordingPlayer;
  let stopPump = false;
  let pumping: Promise<number>;

  beforeAll(async () => {
    logs = captureLogs();
    server = await startRtmpTestServer({ live: { mwLatencyMs: 20 } });
    publisher = await RtmpClient.connect(server.url('live/good'));
    await publisher.publish();
    pumping = sendPaced(publisher, syntheticStream({ frames: 1500 }), { speed: 1, stop: () => stopPump });
    player = await startPlayer(server.url('live/good'), { keepPayloads: false });
    await player.until(() => player.video > 3, 5000, 'first frames');
  });
  afterAll(async () => {
    stopPump = true;
    await pumping;
    await server.close();
    logs.stop();
  });

  /**
   * Opens a connection, lets `act` misbehave on it, and expects the server to close it with
   * a log line naming the client's ip and `reason`, while the good player keeps receiving.
   */
  async function expectClosed(act: (socket: Socket) => Promise<void> | void, reason: RegExp, handshake = false): Promise<void> {
    const before = player.video;
    const socket = handshake ? (await rawSession(server.port)).socket : await openSocket(server.port);
    socket.on('error', () => undefined);
    socket.resume();
    const connected = await logs.waitFor(new RegExp(`rtmp client 127\\.0\\.0\\.1:${socket.localPort} connected`));
    const cid = /\]\[(\w+)\] rtmp client/.exec(connected)![1]!;
    await act(socket);
    expect(await closedWithin(socket, 3000), 'closed by the server').toBe(true);
    const line = await logs.waitFor(new RegExp(`\\[${cid}\\] rtmp client 127\\.0\\.0\\.1 closed after [0-9.]+s: .*${reason.source}`));
    expect(line).toMatch(reason);
    await player.until(() => player.video > before + 2, 3000, 'frames after the bad connection');
    expect(player.client.closed).toBe(false);
    expect(publisher.closed).toBe(false);
  }

  it('a TLS ClientHello-like handshake (C0 = 0x16)', async () => {
    await expectClosed((s) => void s.write(Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]), randomBytes(512)])), /handshake failed: .*C0 version 0x16/);
  });

  it('random bytes as a handshake', async () => {
    const bytes = randomBytes(4000);
    bytes[0] = 0x80 | bytes[0]!; // never 3
    await expectClosed((s) => void s.write(bytes), /handshake failed: .*only plain RTMP/);
  });

  it('a handshake cut short', async () => {
    await expectClosed((s) => void s.end(Buffer.concat([Buffer.from([3]), randomBytes(700)])), /peer closed/);
  });

  it('Set Chunk Size 0', async () => {
    await expectClosed((s) => void s.write(Buffer.concat([connectBytes(server.port), setChunkSizeBytes(0)])), /bad chunk stream: ChunkSizeInvalid.*Set Chunk Size 0/, true);
  });

  it('Set Chunk Size 2^31', async () => {
    await expectClosed((s) => void s.write(setChunkSizeBytes(2 ** 31)), /bad chunk stream: ChunkSizeInvalid.*2147483648/, true);
  });

  it('a message header announcing 16 MB', async () => {
    const header = Buffer.from([0x03, 0, 0, 0, 0xff, 0xff, 0xff, 20, 0, 0, 0, 0]);
    await expectClosed((s) => void s.write(Buffer.concat([header, randomBytes(100)])), /bad chunk stream: MessageTooLarge.*16777215/, true);
  });

  it('a flood of distinct chunk stream ids', async () => {
    const flood = Buffer.concat(Array.from({ length: 400 }, (_, i) => messageBytes(3 + i, 5, 0, 0, encodeWindowAckSize(2_500_000))));
    await expectClosed((s) => void s.write(flood), /bad chunk stream: TooManyChunkStreams/, true);
  });

  it('broken AMF in connect', async () => {
    // "connect" with a string length running past the payload, then a truncated object.
    const payload = Buffer.from([0x02, 0x00, 0x07, 0x63, 0x6f, 0x6e, 0x6e, 0x65, 0x63, 0x74, 0x00, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x03, 0x00, 0x40, 0x61]);
    await expectClosed((s) => void s.write(messageBytes(3, 20, 0, 0, payload)), /bad message type 20: .*RtmpAmf0Decode/, true);
  });

  it('a command whose name is not a string', async () => {
    const payload = Buffer.from([0x00, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0]);
    await expectClosed((s) => void s.write(messageBytes(3, 20, 0, 0, payload)), /bad message type 20: command: name is number/, true);
  });

  it('publish of an empty stream name', async () => {
    await expectClosed((s) => void s.write(Buffer.concat([
      connectBytes(server.port),
      commandBytes('createStream', 2, null),
      commandBytes('publish', 0, null, ['', 'live'], 1),
    ])), /publish: empty stream name/, true);
  });

  it('publish of a name that is only a query', async () => {
    await expectClosed((s) => void s.write(Buffer.concat([
      connectBytes(server.port),
      commandBytes('createStream', 2, null),
      commandBytes('publish', 0, null, ['?token=1', 'live'], 1),
    ])), /publish: empty stream name/, true);
  });

  it('play before connect', async () => {
    await expectClosed((s) => void s.write(Buffer.concat([commandBytes('createStream', 2, null), commandBytes('play', 0, null, ['good'], 1)])), /createStream before connect/, true);
    await expectClosed((s) => void s.write(commandBytes('play', 0, null, ['good'], 1)), /play before connect/, true);
  });

  it('media from a client that is not publishing', async () => {
    await expectClosed((s) => void s.write(Buffer.concat([connectBytes(server.port), messageBytes(7, 8, 1, 0, audioFrame(1))])), /media from a client that is not publishing/, true);
  });

  it('a user control message too short to decode', async () => {
    await expectClosed((s) => void s.write(messageBytes(2, 4, 0, 0, encodeUserControl({ eventType: 6, eventData: 1 }).subarray(0, 3))), /bad chunk stream: .*user control/, true);
  });

  it('leaves the good stream and the server\'s client list intact', async () => {
    await new Promise((r) => setTimeout(r, 100));
    expect(server.ctx.clients.size).toBe(2);
    expect(server.source('live/good')!.isPublishing).toBe(true);
    expect(player.client.closed).toBe(false);
  });
});
