import { describe, expect, it } from 'vitest';
import { RtmpChunkDemuxer, encodeRtmpMessage, type RtmpMessage } from '../../src/native/rtmp-chunk.js';
import { TsrsError } from '../../src/core/errors.js';

function pattern(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (seed + i * 7) & 0xff;
  return b;
}

function setChunkSize(size: number): RtmpMessage {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(size);
  return { csid: 2, typeId: 1, timestamp: 0, streamId: 0, payload };
}

/** A fmt0 chunk header with a 1-byte basic header. */
function fmt0Header(csid: number, timestamp: number, length: number, typeId: number, streamId: number): Buffer {
  const h = Buffer.alloc(12);
  h[0] = csid;
  h.writeUIntBE(timestamp, 1, 3);
  h.writeUIntBE(length, 4, 3);
  h[7] = typeId;
  h.writeUInt32LE(streamId, 8);
  return h;
}

function feedAll(demuxer: RtmpChunkDemuxer, pieces: Buffer[]): RtmpMessage[] {
  return pieces.flatMap((piece) => demuxer.feed(piece));
}

function plain(messages: RtmpMessage[]): object[] {
  return messages.map((m) => ({ ...m, payload: m.payload.toString('hex') }));
}

const messages: RtmpMessage[] = [
  { csid: 3, typeId: 20, timestamp: 0, streamId: 0, payload: pattern(150, 1) },
  { csid: 4, typeId: 8, timestamp: 1000, streamId: 1, payload: pattern(7, 2) },
  { csid: 6, typeId: 9, timestamp: 0xffffff, streamId: 1, payload: pattern(300, 3) },
  { csid: 64, typeId: 9, timestamp: 0xffffffff, streamId: 7, payload: pattern(3, 4) },
  { csid: 65599, typeId: 18, timestamp: 5, streamId: 1, payload: Buffer.alloc(0) },
];

describe('RTMP chunk codec through the addon', () => {
  for (const chunkSize of [1, 128, 4096]) {
    it(`round trips at chunk size ${chunkSize}, whole and split at every byte boundary`, () => {
      const sent = [setChunkSize(chunkSize), ...messages];
      const wire = Buffer.concat([
        encodeRtmpMessage(sent[0]!, 128),
        ...messages.map((m) => encodeRtmpMessage(m, chunkSize)),
      ]);
      const whole = new RtmpChunkDemuxer();
      expect(plain(whole.feed(wire))).toEqual(plain(sent));
      expect(whole.inChunkSize).toBe(chunkSize);
      expect(whole.bytesReceived).toBe(wire.length);

      const expected = JSON.stringify(plain(sent));
      for (let k = 1; k < wire.length; k++) {
        const got = feedAll(new RtmpChunkDemuxer(), [wire.subarray(0, k), wire.subarray(k)]);
        if (JSON.stringify(plain(got)) !== expected) expect.fail(`split at ${k} gave different messages`);
      }
      const bytewise = new RtmpChunkDemuxer();
      const oneByOne: RtmpMessage[] = [];
      for (let i = 0; i < wire.length; i++) oneByOne.push(...bytewise.feed(wire.subarray(i, i + 1)));
      expect(plain(oneByOne)).toEqual(plain(sent));
    });
  }

  it('payloads own their memory: they survive the input being overwritten', () => {
    const wire = encodeRtmpMessage(messages[2]!, 128);
    const got = new RtmpChunkDemuxer().feed(wire);
    wire.fill(0);
    expect(got[0]!.payload.equals(messages[2]!.payload)).toBe(true);
  });

  it('batches: fields read in place, payloads of built messages survive later feeds', () => {
    const demuxer = new RtmpChunkDemuxer();
    const other = new RtmpChunkDemuxer();
    const batch = demuxer.feedBatch(Buffer.concat(messages.map((m) => encodeRtmpMessage(m, 128))));
    expect(batch.count).toBe(messages.length);
    let offset = batch.firstPayloadOffset;
    const kept: RtmpMessage[] = [];
    for (let i = 0; i < batch.count; i++) {
      const sent = messages[i]!;
      expect([batch.csid(i), batch.typeId(i), batch.timestamp(i), batch.streamId(i)]).toEqual([sent.csid, sent.typeId, sent.timestamp, sent.streamId]);
      expect(batch.bytes.subarray(offset, offset + batch.payloadLength(i)).equals(sent.payload)).toBe(true);
      kept.push(batch.message(i, offset));
      offset += batch.payloadLength(i);
    }
    // Another connection's read reuses the batch buffer: built messages keep their bytes,
    // and the stale batch refuses to build more.
    other.feedBatch(encodeRtmpMessage({ ...messages[2]!, payload: Buffer.alloc(300, 0xee) }, 128));
    expect(plain(kept)).toEqual(plain(messages));
    expect(() => batch.message(0, batch.firstPayloadOffset)).toThrowError(/after a later feed/);
  });

  it('batches larger than the shared buffer get a buffer of their own', () => {
    const big = { ...messages[2]!, payload: pattern(300_000, 9) };
    const batch = new RtmpChunkDemuxer({ maxMessageSize: 1 << 20 }).feedBatch(encodeRtmpMessage(big, 128));
    expect(batch.count).toBe(1);
    const later = new RtmpChunkDemuxer().feedBatch(encodeRtmpMessage(messages[1]!, 128));
    expect(later.count).toBe(1);
    expect(batch.message(0, batch.firstPayloadOffset).payload.equals(big.payload)).toBe(true);
  });

  it('reduces 64-bit millisecond timestamps mod 2^32', () => {
    const ts = 2 ** 32 + 1234;
    const wire = encodeRtmpMessage({ ...messages[1]!, timestamp: ts }, 128);
    expect(new RtmpChunkDemuxer().feed(wire)[0]!.timestamp).toBe(1234);
  });

  it('rejects a header announcing 0xFFFFFF bytes before any payload arrives', () => {
    const demuxer = new RtmpChunkDemuxer();
    const before = process.memoryUsage().rss;
    let caught: unknown;
    try {
      demuxer.feed(fmt0Header(6, 0, 0xffffff, 9, 1));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TsrsError);
    expect((caught as TsrsError).codeName).toBe('RtmpPacketSize');
    expect((caught as TsrsError).message).toContain('MessageTooLarge');
    expect(process.memoryUsage().rss - before).toBeLessThan(8 * 1024 * 1024);
  });

  it('surfaces each native error code as a TsrsError', () => {
    const cases: Array<[Buffer, string, string, object?]> = [
      [Buffer.concat([fmt0Header(2, 0, 4, 1, 0), Buffer.from([0, 0, 0, 0])]), 'ChunkSizeInvalid', 'RtmpChunkSize'],
      [Buffer.from([0xc5]), 'ChunkStartInvalid', 'RtmpChunkStart'],
      [
        Buffer.concat([3, 4, 5].map((csid) => fmt0Header(csid, 0, 0, 20, 0))),
        'TooManyChunkStreams',
        'RtmpChunkStart',
        { maxChunkStreams: 2 },
      ],
      [fmt0Header(6, 0, 101, 9, 1), 'MessageTooLarge', 'RtmpPacketSize', { maxMessageSize: 100 }],
      [Buffer.concat([fmt0Header(6, 0, 3, 22, 1), Buffer.from([9, 0, 0])]), 'AggregateInvalid', 'RtmpMessageDecode'],
    ];
    for (const [wire, code, codeName, options] of cases) {
      const demuxer = new RtmpChunkDemuxer(options);
      expect(() => demuxer.feed(wire)).toThrowError(expect.objectContaining({ codeName, message: expect.stringContaining(code) }));
      expect(() => demuxer.feed(Buffer.from([0]))).toThrowError(/AfterError/);
    }
  });

  it('rejects bad arguments with a TsrsError', () => {
    expect(() => new RtmpChunkDemuxer({ maxChunkStreams: 0 })).toThrow(TsrsError);
    expect(() => encodeRtmpMessage({ ...messages[0]!, csid: 1 }, 128)).toThrow(/InvalidArgument/);
    expect(() => encodeRtmpMessage(messages[0]!, 0)).toThrow(/InvalidArgument/);
    expect(() => encodeRtmpMessage({ ...messages[0]!, payload: Buffer.alloc(0x1000000) }, 128)).toThrow(
      /InvalidArgument/,
    );
  });

  it('survives seeded random garbage: every feed returns or throws', () => {
    let seed = 0x2545f491;
    const nextByte = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return seed & 0xff;
    };
    let threw = 0;
    for (let round = 0; round < 500; round++) {
      const demuxer = new RtmpChunkDemuxer({ maxMessageSize: 64 * 1024 });
      const junk = Buffer.alloc(1 + (round % 97) * 5);
      for (let i = 0; i < junk.length; i++) junk[i] = nextByte();
      // A valid chunk first half the time, so parsing gets past the first header.
      const lead = round % 2 ? encodeRtmpMessage(messages[round % messages.length]!, 128) : Buffer.alloc(0);
      try {
        for (const piece of [lead, junk.subarray(0, 7), junk.subarray(7)]) demuxer.feed(piece);
      } catch (err) {
        expect(err).toBeInstanceOf(TsrsError);
        threw++;
      }
    }
    expect(threw).toBeGreaterThan(0);
  });
});
