import { describe, expect, it } from 'vitest';
import { TsrsError } from '../../../src/core/errors.js';
import { parseVideoTag, videoTagData } from '../../../src/protocol/flv/video.js';

const bytes = (...parts: Array<number | string | number[]>): Uint8Array =>
  Uint8Array.from(
    parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : typeof p === 'number' ? [p] : p)),
  );
const u24 = (n: number) => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];

function expectDecodeError(payload: Uint8Array, message?: RegExp): void {
  let caught: unknown;
  try {
    parseVideoTag(payload);
  } catch (err) {
    caught = err;
  }
  expect(caught, `no error for ${Buffer.from(payload).toString('hex')}`).toBeInstanceOf(TsrsError);
  expect((caught as TsrsError).codeName).toBe('RtmpMessageDecode');
  if (message) expect((caught as TsrsError).message).toMatch(message);
}
function expectNoCrash(payload: Uint8Array): void {
  try {
    const tag = parseVideoTag(payload);
    expect(tag.dataOffset + tag.dataLength).toBeLessThanOrEqual(payload.length);
    expect(tag.dataLength).toBeGreaterThanOrEqual(0);
  } catch (err) {
    expect(err).toBeInstanceOf(TsrsError);
  }
}

describe('classic video tags', () => {
  it('AVC sequence header: not a keyframe for the gop cache, codec data after 5 bytes', () => {
    const tag = parseVideoTag(bytes(0x17, 0x00, 0, 0, 0, 1, 0x64, 0, 0x1f));
    expect(tag).toMatchObject({
      enhanced: false, frameType: 1, codecId: 7, codec: 'h264', packetType: 'sequence-start',
      isSequenceHeader: true, isKeyframe: false, isEndOfSequence: false, compositionTime: 0, dataOffset: 5, dataLength: 4,
    });
  });

  it('AVC key and inter frames with signed composition times', () => {
    const key = bytes(0x17, 0x01, ...u24(40), 0, 0, 0, 1, 0x65);
    expect(parseVideoTag(key)).toMatchObject({ isKeyframe: true, isSequenceHeader: false, compositionTime: 40, dataOffset: 5 });
    expect(Array.from(videoTagData(key, parseVideoTag(key)))).toEqual([0, 0, 0, 1, 0x65]);
    expect(parseVideoTag(bytes(0x27, 0x01, 0xff, 0xff, 0xd8, 9))).toMatchObject({ frameType: 2, isKeyframe: false, compositionTime: -40 });
    expect(parseVideoTag(bytes(0x37, 0x01, 0x7f, 0xff, 0xff, 9)).compositionTime).toBe(0x7fffff);
    expect(parseVideoTag(bytes(0x37, 0x01, 0x80, 0, 0, 9)).compositionTime).toBe(-0x800000);
  });

  it('AVC end of sequence', () => {
    expect(parseVideoTag(bytes(0x17, 0x02, 0, 0, 0))).toMatchObject({ isEndOfSequence: true, isKeyframe: false, isSequenceHeader: false, dataLength: 0 });
  });

  it('HEVC under the legacy codec id 12', () => {
    expect(parseVideoTag(bytes(0x1c, 0x00, 0, 0, 0, 1))).toMatchObject({ codecId: 12, codec: 'hevc', isSequenceHeader: true });
    expect(parseVideoTag(bytes(0x1c, 0x01, 0, 0, 0x50, 1))).toMatchObject({ codec: 'hevc', isKeyframe: true, compositionTime: 80 });
    expect(parseVideoTag(bytes(0x2c, 0x01, 0, 0, 0, 1))).toMatchObject({ codec: 'hevc', isKeyframe: false });
  });

  it('other classic codecs: the frame type alone decides, data right after the header byte', () => {
    expect(parseVideoTag(bytes(0x14, 0xaa))).toMatchObject({ codec: 'vp6', isKeyframe: true, dataOffset: 1, dataLength: 1 });
    expect(parseVideoTag(bytes(0x22, 0xaa))).toMatchObject({ codec: 'h263', isKeyframe: false });
    expect(parseVideoTag(bytes(0x19, 0xaa))).toMatchObject({ codecId: 9, codec: undefined, isKeyframe: true });
  });

  it('command frames carry a command byte and are never keyframes', () => {
    expect(parseVideoTag(bytes(0x57, 0x01))).toMatchObject({ packetType: 'command', command: 1, isKeyframe: false, isSequenceHeader: false });
  });

  it('rejects empty, short, reserved and wrong-type payloads', () => {
    expectDecodeError(bytes(), /empty/);
    expectDecodeError(bytes(0x17), /avc packet type/);
    expectDecodeError(bytes(0x17, 0x01, 0x00), /composition time/);
    expectDecodeError(bytes(0x17, 0x03, 0, 0, 0), /avc packet type 3/);
    expectDecodeError(bytes(0x07, 0x01, 0, 0, 0), /frame type 0/);
    expectDecodeError(bytes(0x67, 0x01, 0, 0, 0), /frame type 6/);
    expectDecodeError(bytes(0x12), /no data/);
    expectDecodeError(bytes(0x57), /command/);
  });
});

describe('enhanced video tags', () => {
  it('HEVC sequence start, coded frames with composition time, coded frames X without', () => {
    expect(parseVideoTag(bytes(0x90, 'hvc1', 1, 2, 3))).toMatchObject({
      enhanced: true, frameType: 1, fourcc: 'hvc1', codec: 'hevc', packetType: 'sequence-start',
      isSequenceHeader: true, isKeyframe: false, dataOffset: 5, dataLength: 3,
    });
    expect(parseVideoTag(bytes(0x91, 'hvc1', ...u24(0xffffd8), 7))).toMatchObject({ isKeyframe: true, compositionTime: -40, dataOffset: 8, dataLength: 1 });
    expect(parseVideoTag(bytes(0xa3, 'hvc1', 7))).toMatchObject({ frameType: 2, packetType: 'coded-frames', isKeyframe: false, compositionTime: 0, dataOffset: 5 });
    expect(parseVideoTag(bytes(0x93, 'hvc1', 7))).toMatchObject({ isKeyframe: true, compositionTime: 0, dataOffset: 5 });
  });

  it('AVC (v2) carries a composition time; AV1 and VP9 do not', () => {
    expect(parseVideoTag(bytes(0x91, 'avc1', 0, 0, 40, 9))).toMatchObject({ codec: 'h264', compositionTime: 40, dataOffset: 8 });
    expect(parseVideoTag(bytes(0x91, 'av01', 0x12, 0x00))).toMatchObject({ codec: 'av1', isKeyframe: true, compositionTime: 0, dataOffset: 5, dataLength: 2 });
    expect(parseVideoTag(bytes(0xa1, 'vp09', 0x12))).toMatchObject({ codec: 'vp9', isKeyframe: false, dataOffset: 5 });
  });

  it('sequence end, metadata, MPEG-2 TS sequence start, and command frames', () => {
    expect(parseVideoTag(bytes(0x92, 'hvc1'))).toMatchObject({ isEndOfSequence: true, isKeyframe: false, dataLength: 0 });
    expect(parseVideoTag(bytes(0x94, 'hvc1', 2, 0, 3))).toMatchObject({ packetType: 'metadata', isKeyframe: false, isSequenceHeader: false });
    expect(parseVideoTag(bytes(0x95, 'av01', 0x80))).toMatchObject({ packetType: 'mpeg2ts-sequence-start', isSequenceHeader: true });
    expect(parseVideoTag(bytes(0xd1, 0x00))).toMatchObject({ frameType: 5, packetType: 'command', command: 0, isKeyframe: false });
    // Metadata keeps its own meaning even in a command frame.
    expect(parseVideoTag(bytes(0xd4, 'hvc1', 2))).toMatchObject({ frameType: 5, packetType: 'metadata' });
  });

  it('unknown FourCCs parse as an opaque codec', () => {
    expect(parseVideoTag(bytes(0x91, 'xyz1', 1, 2, 3))).toMatchObject({ fourcc: 'xyz1', codec: undefined, compositionTime: 0, dataOffset: 5 });
  });

  it('ModEx: skips modifiers and keeps the nanosecond timestamp offset', () => {
    const tag = parseVideoTag(bytes(0x97, 2, ...u24(123456), 0x01, 'hvc1', 0, 0, 10, 0xee));
    expect(tag).toMatchObject({ packetType: 'coded-frames', isKeyframe: true, timestampNanoOffset: 123456, compositionTime: 10, dataOffset: 13, dataLength: 1 });
    // An unknown modifier type (1), then a 256+ byte one using the 16-bit size escape.
    const big = new Array(300).fill(0xab);
    const chained = parseVideoTag(bytes(0x97, 0, 0xaa, 0x17, 0xff, 0x01, 0x2b, ...big, 0x11, 'av01', 5));
    expect(chained).toMatchObject({ packetType: 'coded-frames', fourcc: 'av01', timestampNanoOffset: 0, dataLength: 1 });
  });

  it('multitrack: one track, many tracks, many tracks with many codecs', () => {
    const one = parseVideoTag(bytes(0x96, 0x01, 'avc1', 3, 0, 0, 40, 0x65));
    expect(one).toMatchObject({ fourcc: 'avc1', codec: 'h264', isKeyframe: true, compositionTime: 40, dataOffset: 10, dataLength: 1 });
    expect(one.multitrack).toEqual({ type: 'one-track', tracks: [{ trackId: 3, fourcc: 'avc1', codec: 'h264', compositionTime: 40, dataOffset: 10, dataLength: 1 }] });

    const many = parseVideoTag(bytes(0x96, 0x11, 'hvc1', 0, ...u24(5), 0, 0, 1, 0xa, 0xb, 1, ...u24(4), 0, 0, 2, 0xc));
    expect(many.multitrack?.tracks.map((t) => [t.trackId, t.compositionTime, t.dataOffset, t.dataLength])).toEqual([
      [0, 1, 13, 2],
      [1, 2, 22, 1],
    ]);
    expect(many).toMatchObject({ compositionTime: 1, dataOffset: 13, dataLength: 2 });

    const mixed = parseVideoTag(bytes(0x96, 0x20, 0, 'avc1', ...u24(2), 1, 2, 1, 'av01', ...u24(1), 3));
    expect(mixed).toMatchObject({ fourcc: 'avc1', codec: 'h264', isSequenceHeader: true });
    expect(mixed.multitrack?.tracks.map((t) => [t.fourcc, t.codec, t.dataOffset, t.dataLength])).toEqual([
      ['avc1', 'h264', 10, 2],
      ['av01', 'av1', 20, 1],
    ]);
  });

  it('rejects truncated, reserved and inconsistent enhanced headers', () => {
    expectDecodeError(bytes(0x90, 'hv'), /fourcc/);
    expectDecodeError(bytes(0x91, 'hvc1', 0), /composition time/);
    expectDecodeError(bytes(0x98, 'hvc1'), /packet type 8 is reserved/);
    expectDecodeError(bytes(0x80, 'hvc1'), /frame type 0/);
    expectDecodeError(bytes(0xe1, 'hvc1'), /frame type 6/);
    expectDecodeError(bytes(0xd1), /command/);
    expectDecodeError(bytes(0x96, 0x06, 'avc1'), /cannot nest/);
    expectDecodeError(bytes(0x96, 0x31, 'avc1'), /multitrack type 3/);
    expectDecodeError(bytes(0x96, 0x11, 'avc1', 0, ...u24(9), 0, 0, 0), /track 0 body/);
    expectDecodeError(bytes(0x96, 0x11, 'avc1', 0, ...u24(2), 0, 0), /composition time/);
    expectDecodeError(bytes(0x97, 5, 1, 2), /ModEx data/);
    expectDecodeError(bytes(0x97, 0, 0), /ModEx type/);
    expectDecodeError(bytes(0x97, ...new Array(20).fill([0, 0, 0x07]).flat(), 0x00), /too many ModEx/);
  });
});

describe('robustness', () => {
  const samples = [
    bytes(0x17, 0x01, 0, 0, 40, 0, 0, 0, 1, 0x65),
    bytes(0x91, 'hvc1', 0, 0, 40, 1, 2),
    bytes(0x97, 2, ...u24(1), 0x01, 'hvc1', 0, 0, 10, 0xee),
    bytes(0x96, 0x11, 'hvc1', 0, ...u24(5), 0, 0, 1, 0xa, 0xb, 1, ...u24(4), 0, 0, 2, 0xc),
    bytes(0x96, 0x20, 0, 'avc1', ...u24(2), 1, 2, 1, 'av01', ...u24(1), 3),
  ];

  it('every truncation of valid tags is a value or a decode error', () => {
    for (const sample of samples) for (let n = 0; n <= sample.length; n++) expectNoCrash(sample.subarray(0, n));
  });

  it('random payloads are a value or a decode error', () => {
    let seed = 11;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 8;
    for (let i = 0; i < 5000; i++) {
      const payload = Uint8Array.from({ length: rand() % 40 }, () => rand() & 0xff);
      expectNoCrash(payload);
    }
  });
});
