import { describe, expect, it } from 'vitest';
import { parseAudioTag } from '../../../src/protocol/flv/audio.js';
import { classifyPlainFrame, PlainFrame } from '../../../src/protocol/flv/plain-frame.js';
import { parseVideoTag } from '../../../src/protocol/flv/video.js';

/** What the full parse says, in the classifier's terms (a parse error is "not plain"). */
function fullParse(typeId: number, payload: Buffer): PlainFrame | 'error' {
  try {
    if (typeId === 9) {
      const tag = parseVideoTag(payload);
      if (tag.isSequenceHeader || tag.packetType !== 'coded-frames') return PlainFrame.NotPlain;
      return tag.isKeyframe ? PlainFrame.Keyframe : PlainFrame.Frame;
    }
    const tag = parseAudioTag(payload);
    return tag.isSequenceHeader ? PlainFrame.NotPlain : PlainFrame.Frame;
  } catch {
    return 'error';
  }
}

describe('plain frame classifier', () => {
  it('agrees with the full parse on every plain frame and sends everything else to it', () => {
    let plain = 0;
    for (const typeId of [8, 9]) {
      for (let first = 0; first < 256; first++) {
        for (const second of [0, 1, 2, 3, 0x80]) {
          for (const length of [1, 2, 4, 5, 12]) {
            const payload = Buffer.alloc(length, 0x11);
            payload[0] = first;
            if (length > 1) payload[1] = second;
            // Placed at an offset inside a larger buffer, as frames sit in a read batch.
            const batch = Buffer.concat([Buffer.from([0xee, 0xee, 0xee]), payload, Buffer.from([0xee])]);
            const quick = classifyPlainFrame(typeId, batch, 3, length);
            if (quick === PlainFrame.NotPlain) continue;
            plain++;
            expect({ typeId, first, second, length, full: fullParse(typeId, payload) }).toEqual({ typeId, first, second, length, full: quick });
          }
        }
      }
    }
    // AVC/HEVC key, inter and disposable frames at lengths 5 and 12; AAC raw data (16 first
    // bytes: any rate, size and channels) at lengths 2, 4, 5 and 12.
    expect(plain).toBe(2 * 3 * 2 + 16 * 4);
  });

  it('leaves sequence headers, Enhanced RTMP, other codecs and other types to the full parse', () => {
    const cases: [number, number[]][] = [
      [9, [0x17, 0, 0, 0, 0]], // AVC sequence header
      [9, [0x17, 2, 0, 0, 0]], // AVC end of sequence
      [9, [0x90, 0x68, 0x76, 0x63, 0x31]], // Enhanced RTMP coded frames (hvc1)
      [9, [0x52, 1, 0, 0, 0]], // command frame
      [9, [0x12, 1, 0, 0, 0]], // H.263
      [8, [0xaf, 0]], // AAC sequence header
      [8, [0x2f, 0xff]], // MP3
      [18, [2, 0, 0, 0, 0]], // script data
    ];
    for (const [typeId, bytes] of cases) expect(classifyPlainFrame(typeId, Buffer.from(bytes), 0, bytes.length)).toBe(PlainFrame.NotPlain);
  });
});
