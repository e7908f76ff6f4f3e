import { describe, expect, it } from 'vitest';
import { TsrsError } from '../../../src/core/errors.js';
import { crc32Mpeg2 } from '../../../src/protocol/mpegts/crc32.js';
import { buildPatSection, buildPmtSection, parsePatSection, parsePmtSection } from '../../../src/protocol/mpegts/psi.js';
import { TsPid, TsStreamType } from '../../../src/protocol/mpegts/ts-constants.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('crc32Mpeg2', () => {
  it('matches the CRC-32/MPEG-2 check value', () => {
    expect(crc32Mpeg2(Buffer.from('123456789'))).toBe(0x0376e6e7);
  });
});

describe('PAT', () => {
  it('builds the byte-exact PAT ffmpeg writes for PMT PID 0x1000', () => {
    expect(buildPatSection(0x1000)).toEqual(hex('00 b0 0d 00 01 c1 00 00 00 01 f0 00 2a b1 04 b2'));
  });

  it('round-trips SRS layout (PMT 0x1001) and versions', () => {
    const pat = parsePatSection(buildPatSection(TsPid.Pmt, 7));
    expect(pat).toEqual({ transportStreamId: 1, version: 7, programs: [{ programNumber: 1, pmtPid: 0x1001 }] });
  });

  it('skips program 0 (the NIT) when parsing', () => {
    const section = hex('00 b0 11 00 01 c1 00 00 00 00 e0 10 00 01 f0 00');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32Mpeg2(section));
    expect(parsePatSection(Buffer.concat([section, crc])).programs).toEqual([{ programNumber: 1, pmtPid: 0x1000 }]);
  });

  it('rejects broken sections with a TsrsError', () => {
    const good = buildPatSection(TsPid.Pmt);
    const bad: Array<[string, Buffer]> = [
      ['empty', Buffer.alloc(0)],
      ['short', good.subarray(0, 10)],
      ['wrong table id', Buffer.from([0x02, ...good.subarray(1)])],
      ['bad crc', Buffer.from([...good.subarray(0, -1), good.at(-1)! ^ 1])],
      ['length past the data', Buffer.from([0x00, 0xb0, 0x20, ...good.subarray(3)])],
      ['length over 1021', Buffer.from([0x00, 0xb3, 0xff, ...good.subarray(3)])],
      ['syntax indicator 0', Buffer.from([0x00, 0x30, ...good.subarray(2)])],
    ];
    for (const [what, data] of bad) expect(() => parsePatSection(data), what).toThrow(TsrsError);
  });
});

describe('PMT', () => {
  const streams = [
    { streamType: TsStreamType.H264, pid: TsPid.Video },
    { streamType: TsStreamType.AacAdts, pid: TsPid.Audio },
  ];

  it('builds SRS-style PMTs (PCR on video, H.264 + AAC) that round-trip', () => {
    const section = buildPmtSection(TsPid.Video, streams, 3);
    expect(section.subarray(0, 22)).toEqual(hex('02 b0 17 00 01 c7 00 00 e1 00 f0 00 1b e1 00 f0 00 0f e1 01 f0 00'));
    expect(crc32Mpeg2(section)).toBe(0);
    expect(parsePmtSection(section)).toEqual({ programNumber: 1, version: 3, pcrPid: 0x100, streams });
  });

  it('skips program and ES descriptors', () => {
    // program_info_length 3 and an ES_info_length of 2 on the only stream.
    const body = hex('02 b0 17 00 01 c1 00 00 e1 00 f0 03 aa bb cc 24 e1 00 f0 02 dd ee');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32Mpeg2(body));
    const pmt = parsePmtSection(Buffer.concat([body, crc]));
    expect(pmt.streams).toEqual([{ streamType: TsStreamType.Hevc, pid: 0x100 }]);
  });

  it('rejects descriptors and entries running past the section', () => {
    const withCrc = (body: Buffer) => {
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32Mpeg2(body));
      return Buffer.concat([body, crc]);
    };
    const cases: Array<[string, Buffer]> = [
      ['program_info_length', withCrc(hex('02 b0 0d 00 01 c1 00 00 e1 00 f0 09'))],
      ['ES_info_length', withCrc(hex('02 b0 12 00 01 c1 00 00 e1 00 f0 00 1b e1 00 f0 09'))],
      ['truncated entry', withCrc(hex('02 b0 10 00 01 c1 00 00 e1 00 f0 00 1b e1 00'))],
      ['truncated program header', withCrc(hex('02 b0 0b 00 01 c1 00 00 e1 00'))],
      ['a PAT', buildPatSection(TsPid.Pmt)],
    ];
    for (const [what, data] of cases) expect(() => parsePmtSection(data), what).toThrow(TsrsError);
  });
});
