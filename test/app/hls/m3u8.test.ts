/** src/protocol/hls: playlist writer/parser and AES-128 helpers (kept here with the HLS tests). */
import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TsrsError } from '../../../src/core/errors.js';
import { decryptSegment, encryptSegment, ivForSequence, newHlsKey } from '../../../src/protocol/hls/aes.js';
import { buildMediaPlaylist, parseMediaPlaylist } from '../../../src/protocol/hls/m3u8.js';

describe('buildMediaPlaylist', () => {
  it('writes the SRS live playlist shape', () => {
    const text = buildMediaPlaylist({
      mediaSequence: 7,
      targetDuration: 15,
      segments: [
        { uri: 'livestream-7.ts', duration: 10.0004 },
        { uri: 'livestream-8.ts', duration: 9.98, discontinuity: true },
      ],
    });
    expect(text).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-MEDIA-SEQUENCE:7',
        '#EXT-X-TARGETDURATION:15',
        '#EXTINF:10.000, no desc',
        'livestream-7.ts',
        '#EXT-X-DISCONTINUITY',
        '#EXTINF:9.980, no desc',
        'livestream-8.ts',
        '',
      ].join('\n'),
    );
  });

  it('raises the target duration to cover the longest segment', () => {
    const text = buildMediaPlaylist({ mediaSequence: 0, targetDuration: 5, segments: [{ uri: 'a.ts', duration: 6.2 }] });
    expect(text).toContain('#EXT-X-TARGETDURATION:7\n');
    expect(buildMediaPlaylist({ mediaSequence: 0, segments: [{ uri: 'a.ts', duration: 2.0001 }] })).toContain('#EXT-X-TARGETDURATION:2\n');
    expect(buildMediaPlaylist({ mediaSequence: 0, segments: [] })).toContain('#EXT-X-TARGETDURATION:1\n');
  });

  it('writes a key line when the key changes, with an explicit IV when given', () => {
    const key = { method: 'AES-128' as const, uri: 'k0.key' };
    const iv = Buffer.alloc(16, 0xab);
    const text = buildMediaPlaylist({
      mediaSequence: 0,
      segments: [
        { uri: 'a.ts', duration: 1, key },
        { uri: 'b.ts', duration: 1, key },
        { uri: 'c.ts', duration: 1, key: { method: 'AES-128', uri: 'k1.key', iv } },
      ],
      endList: true,
    });
    const keys = text.split('\n').filter((l) => l.startsWith('#EXT-X-KEY'));
    expect(keys).toEqual(['#EXT-X-KEY:METHOD=AES-128,URI="k0.key"', `#EXT-X-KEY:METHOD=AES-128,URI="k1.key",IV=0x${'ab'.repeat(16)}`]);
    expect(text.endsWith('#EXT-X-ENDLIST\n')).toBe(true);
  });

  it('rejects a key without a URI or with a bad IV', () => {
    expect(() => buildMediaPlaylist({ mediaSequence: 0, segments: [{ uri: 'a', duration: 1, key: { method: 'AES-128' } }] })).toThrow(TsrsError);
    const bad = { method: 'AES-128' as const, uri: 'k', iv: Buffer.alloc(8) };
    expect(() => buildMediaPlaylist({ mediaSequence: 0, segments: [{ uri: 'a', duration: 1, key: bad }] })).toThrow(TsrsError);
  });
});

describe('parseMediaPlaylist', () => {
  it('reads back what the writer writes', () => {
    const iv = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
    const text = buildMediaPlaylist({
      mediaSequence: 3,
      targetDuration: 4,
      segments: [
        { uri: 'a.ts', duration: 3.5, key: { method: 'AES-128', uri: 'k.key', iv } },
        { uri: 'b.ts', duration: 2.25, discontinuity: true, key: { method: 'AES-128', uri: 'k.key', iv } },
      ],
    });
    const parsed = parseMediaPlaylist(text);
    expect(parsed).toMatchObject({ version: 3, mediaSequence: 3, targetDuration: 4, endList: false });
    expect(parsed.segments).toEqual([
      { uri: 'a.ts', duration: 3.5, sequence: 3, key: { method: 'AES-128', uri: 'k.key', iv } },
      { uri: 'b.ts', duration: 2.25, sequence: 4, discontinuity: true, key: { method: 'AES-128', uri: 'k.key', iv } },
    ]);
  });

  it('rejects broken playlists with a TsrsError', () => {
    const cases = [
      '',
      'EXTM3U\n',
      '#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:-1\n',
      '#EXTM3U\n#EXT-X-TARGETDURATION:abc\n',
      '#EXTM3U\na.ts\n',
      '#EXTM3U\n#EXTINF:nan,\na.ts\n',
      '#EXTM3U\n#EXT-X-KEY:METHOD=SAMPLE-AES,URI="k"\n',
      '#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI="k",IV=0x12\n',
    ];
    for (const text of cases) expect(() => parseMediaPlaylist(text), JSON.stringify(text)).toThrow(TsrsError);
  });
});

describe('HLS AES-128', () => {
  it('derives the IV from the media sequence number, big-endian', () => {
    expect(ivForSequence(0)).toEqual(Buffer.alloc(16));
    expect(ivForSequence(0x01020304).toString('hex')).toBe('00000000000000000000000001020304');
    expect(ivForSequence(2 ** 40).toString('hex')).toBe('00000000000000000000010000000000');
    expect(() => ivForSequence(-1)).toThrow(TsrsError);
    expect(() => ivForSequence(1.5)).toThrow(TsrsError);
  });

  it('is AES-128-CBC with PKCS#7 padding, over one buffer or many', () => {
    const key = newHlsKey();
    expect(key).toHaveLength(16);
    const iv = ivForSequence(9);
    const data = Buffer.alloc(188 * 3, 0x47);
    const reference = createCipheriv('aes-128-cbc', key, iv);
    const expected = Buffer.concat([reference.update(data), reference.final()]);
    expect(encryptSegment(data, key, iv)).toEqual(expected);
    expect(encryptSegment([data.subarray(0, 100), data.subarray(100)], key, iv)).toEqual(expected);
    expect(expected.length).toBe(576); // 564 padded to a whole block
    expect(decryptSegment(expected, key, iv)).toEqual(data);
  });

  it('rejects bad keys, IVs, lengths and padding with a TsrsError', () => {
    const key = newHlsKey();
    const iv = ivForSequence(1);
    expect(() => encryptSegment(Buffer.alloc(4), Buffer.alloc(15), iv)).toThrow(TsrsError);
    expect(() => encryptSegment(Buffer.alloc(4), key, Buffer.alloc(8))).toThrow(TsrsError);
    expect(() => decryptSegment(Buffer.alloc(17), key, iv)).toThrow(TsrsError);
    const sealed = encryptSegment(Buffer.alloc(40), key, iv);
    expect(() => decryptSegment(sealed, newHlsKey(), iv)).toThrow(TsrsError);
  });
});
