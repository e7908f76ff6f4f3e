import { describe, expect, it } from 'vitest';
import { TsrsError } from '../../../src/core/errors.js';
import { audioTagData, parseAudioTag } from '../../../src/protocol/flv/audio.js';

const bytes = (...parts: Array<number | string | number[]>): Uint8Array =>
  Uint8Array.from(
    parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : typeof p === 'number' ? [p] : p)),
  );
const u24 = (n: number) => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];

function expectDecodeError(payload: Uint8Array, message?: RegExp): void {
  let caught: unknown;
  try {
    parseAudioTag(payload);
  } catch (err) {
    caught = err;
  }
  expect(caught, `no error for ${Buffer.from(payload).toString('hex')}`).toBeInstanceOf(TsrsError);
  expect((caught as TsrsError).codeName).toBe('RtmpMessageDecode');
  if (message) expect((caught as TsrsError).message).toMatch(message);
}

describe('classic audio tags', () => {
  it('AAC sequence header and raw frames', () => {
    const sh = bytes(0xaf, 0x00, 0x12, 0x10);
    expect(parseAudioTag(sh)).toMatchObject({
      enhanced: false, soundFormat: 10, codec: 'aac', packetType: 'sequence-start', isSequenceHeader: true,
      sampleRate: 44100, sampleSize: 16, channels: 2, dataOffset: 2, dataLength: 2,
    });
    expect(Array.from(audioTagData(sh, parseAudioTag(sh)))).toEqual([0x12, 0x10]);
    expect(parseAudioTag(bytes(0xaf, 0x01, 0x21, 0x00))).toMatchObject({ packetType: 'coded-frames', isSequenceHeader: false, dataOffset: 2 });
    // An AAC frame may be empty (2 bytes of header only).
    expect(parseAudioTag(bytes(0xaf, 0x01))).toMatchObject({ dataLength: 0 });
  });

  it('rate, size and channel bits, and the other sound formats', () => {
    expect(parseAudioTag(bytes(0x22, 0xff))).toMatchObject({ codec: 'mp3', sampleRate: 5512, sampleSize: 16, channels: 1, dataOffset: 1 });
    expect(parseAudioTag(bytes(0x2f, 0xff))).toMatchObject({ codec: 'mp3', sampleRate: 44100, channels: 2 });
    expect(parseAudioTag(bytes(0xe6, 0xff))).toMatchObject({ codec: 'mp3', sampleRate: 11025, sampleSize: 16, channels: 1 });
    expect(parseAudioTag(bytes(0x76, 1))).toMatchObject({ codec: 'pcma' });
    expect(parseAudioTag(bytes(0x86, 1))).toMatchObject({ codec: 'pcmu' });
    expect(parseAudioTag(bytes(0xb6, 1))).toMatchObject({ codec: 'speex' });
    expect(parseAudioTag(bytes(0xd6, 1))).toMatchObject({ codec: 'opus' });
    expect(parseAudioTag(bytes(0x0c, 1))).toMatchObject({ codec: 'pcm', sampleRate: 44100, sampleSize: 8 });
    expect(parseAudioTag(bytes(0xc6, 1))).toMatchObject({ soundFormat: 12, codec: undefined });
  });

  it('rejects empty, short and wrong packet types', () => {
    expectDecodeError(bytes(), /empty/);
    expectDecodeError(bytes(0xaf), /aac packet type/);
    expectDecodeError(bytes(0xaf, 0x02, 0x12), /aac packet type 2/);
    expectDecodeError(bytes(0x2f), /no data/);
  });
});

describe('enhanced audio tags', () => {
  it('sequence start, coded frames and sequence end by FourCC', () => {
    expect(parseAudioTag(bytes(0x90, 'mp4a', 0x12, 0x10))).toMatchObject({
      enhanced: true, soundFormat: 9, fourcc: 'mp4a', codec: 'aac', packetType: 'sequence-start', isSequenceHeader: true, dataOffset: 5, dataLength: 2,
    });
    const opus = parseAudioTag(bytes(0x91, 'Opus', 0xfc, 1, 2));
    expect(opus).toMatchObject({ codec: 'opus', packetType: 'coded-frames', isSequenceHeader: false, dataOffset: 5, dataLength: 3 });
    expect(opus.sampleRate).toBeUndefined();
    expect(parseAudioTag(bytes(0x90, 'fLaC', 0))).toMatchObject({ codec: 'flac', isSequenceHeader: true });
    expect(parseAudioTag(bytes(0x91, '.mp3', 0xff))).toMatchObject({ codec: 'mp3' });
    expect(parseAudioTag(bytes(0x91, 'ac-3', 0x0b))).toMatchObject({ codec: 'ac3' });
    expect(parseAudioTag(bytes(0x91, 'ec-3', 0x0b))).toMatchObject({ codec: 'eac3' });
    expect(parseAudioTag(bytes(0x92, 'Opus'))).toMatchObject({ packetType: 'sequence-end', dataLength: 0 });
    expect(parseAudioTag(bytes(0x94, 'Opus', 1, 2))).toMatchObject({ packetType: 'multichannel-config', isSequenceHeader: false });
    expect(parseAudioTag(bytes(0x91, 'zzzz', 1))).toMatchObject({ codec: undefined, fourcc: 'zzzz' });
  });

  it('multitrack and ModEx', () => {
    const many = parseAudioTag(bytes(0x95, 0x11, 'Opus', 0, ...u24(2), 1, 2, 1, ...u24(1), 3));
    expect(many).toMatchObject({ codec: 'opus', packetType: 'coded-frames', dataOffset: 10, dataLength: 2 });
    expect(many.multitrack?.tracks.map((t) => [t.trackId, t.dataOffset, t.dataLength])).toEqual([
      [0, 10, 2],
      [1, 16, 1],
    ]);
    const mixed = parseAudioTag(bytes(0x95, 0x20, 0, 'mp4a', ...u24(2), 0x12, 0x10, 1, 'Opus', ...u24(1), 9));
    expect(mixed.multitrack?.tracks.map((t) => t.codec)).toEqual(['aac', 'opus']);
    expect(mixed.isSequenceHeader).toBe(true);
    const modEx = parseAudioTag(bytes(0x97, 2, ...u24(500), 0x01, 'Opus', 7));
    expect(modEx).toMatchObject({ timestampNanoOffset: 500, packetType: 'coded-frames', dataOffset: 10 });
  });

  it('rejects reserved packet types and truncated headers', () => {
    expectDecodeError(bytes(0x93, 'Opus'), /packet type 3 is reserved/);
    expectDecodeError(bytes(0x96, 'Opus'), /packet type 6 is reserved/);
    expectDecodeError(bytes(0x9f, 'Opus'), /packet type 15 is reserved/);
    expectDecodeError(bytes(0x90, 'mp4'), /fourcc/);
    expectDecodeError(bytes(0x95, 0x15, 'Opus'), /cannot nest/);
    expectDecodeError(bytes(0x95, 0x11, 'Opus', 0, ...u24(5), 1), /track 0 body/);
    expectDecodeError(bytes(0x97, 3, 0, 0), /ModEx data/);
  });

  it('random payloads and every truncation are a value or a decode error', () => {
    const check = (payload: Uint8Array) => {
      try {
        const tag = parseAudioTag(payload);
        expect(tag.dataOffset + tag.dataLength).toBeLessThanOrEqual(payload.length);
      } catch (err) {
        expect(err).toBeInstanceOf(TsrsError);
      }
    };
    const sample = bytes(0x95, 0x20, 0, 'mp4a', ...u24(2), 0x12, 0x10, 1, 'Opus', ...u24(1), 9);
    for (let n = 0; n <= sample.length; n++) check(sample.subarray(0, n));
    let seed = 5;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 8;
    for (let i = 0; i < 5000; i++) check(Uint8Array.from({ length: rand() % 30 }, () => rand() & 0xff));
  });
});
