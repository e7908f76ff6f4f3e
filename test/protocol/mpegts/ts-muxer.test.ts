import { describe, expect, it } from 'vitest';
import { TsDemuxer } from '../../../src/protocol/mpegts/ts-demuxer.js';
import { TsMuxer, type TsAudioFrame, type TsVideoFrame } from '../../../src/protocol/mpegts/ts-muxer.js';
import { parseTsPacket } from '../../../src/protocol/mpegts/ts-packet.js';
import { TsPacketizer } from '../../../src/protocol/mpegts/ts-packetizer.js';
import { TS_PACKET_SIZE, TsPid, TsStreamType } from '../../../src/protocol/mpegts/ts-constants.js';
import { buildPatSection } from '../../../src/protocol/mpegts/psi.js';

function packetsOf(data: Buffer) {
  if (data.length % TS_PACKET_SIZE !== 0) throw new Error(`${data.length} bytes is not whole packets`);
  const packets = [];
  for (let at = 0; at < data.length; at += TS_PACKET_SIZE) packets.push(parseTsPacket(data.subarray(at, at + TS_PACKET_SIZE)));
  return packets;
}

describe('TsPacketizer', () => {
  it('cuts every PES size into whole packets, stuffing the last through its adaptation field', () => {
    for (const withFlags of [false, true]) {
      const packetizer = new TsPacketizer();
      let expectedCc = 0;
      for (let size = 1; size <= 600; size++) {
        const payload = Buffer.alloc(size);
        for (let i = 0; i < size; i++) payload[i] = (i * 7 + size) & 0xff;
        const options = withFlags ? { pcr: 2 ** 33 - 1 - size, randomAccess: true } : {};
        const split = Math.floor(size / 3);
        const out = packetizer.packetizePes(0x100, [payload.subarray(0, split), payload.subarray(split)], options);
        const packets = packetsOf(out);
        expect(Buffer.concat(packets.map((p) => p.payload)).equals(payload), `size ${size}`).toBe(true);
        const seen = packets.map((p, i) => [p.pid, p.payloadUnitStart, p.continuityCounter, p.adaptation?.randomAccess ?? false, p.adaptation?.pcr, i]);
        const wanted = packets.map((_, i) => {
          const cc = expectedCc;
          expectedCc = (expectedCc + 1) & 0x0f;
          return [0x100, i === 0, cc, withFlags && i === 0, withFlags && i === 0 ? 2 ** 33 - 1 - size : undefined, i];
        });
        if (JSON.stringify(seen) !== JSON.stringify(wanted)) expect(seen, `size ${size}`).toEqual(wanted);
        // No more packets than the payload needs.
        const room = 184 - (withFlags ? 8 : 0);
        const count = size <= room ? 1 : 1 + Math.ceil((size - room) / 184);
        if (packets.length !== count) expect(packets.length, `size ${size}`).toBe(count);
      }
    }
  });

  it('writes sections behind a zero pointer_field, padded with 0xff', () => {
    const packetizer = new TsPacketizer();
    const section = buildPatSection(0x1001);
    const out = packetizer.packetizeSection(0, section);
    expect(out.length).toBe(188);
    expect(out.subarray(0, 5)).toEqual(Buffer.from([0x47, 0x40, 0x00, 0x10, 0x00]));
    expect(out.subarray(5, 5 + section.length)).toEqual(section);
    expect(out.subarray(5 + section.length).every((b) => b === 0xff)).toBe(true);
  });

  it('keeps a continuity counter per PID', () => {
    const packetizer = new TsPacketizer();
    const ccs = (pid: number) => packetsOf(packetizer.packetizePes(pid, [Buffer.alloc(10)]))[0]!.continuityCounter;
    expect([ccs(1), ccs(1), ccs(2), ccs(1), ccs(2)]).toEqual([0, 1, 0, 2, 1]);
  });
});

const videoFrame = (dts: number, keyframe: boolean, size = 1000): TsVideoFrame => ({
  kind: 'video',
  codec: 'h264',
  dts,
  pts: dts + 3600,
  keyframe,
  data: Buffer.concat([Buffer.from([0, 0, 0, 1, 9, 0xf0, 0, 0, 0, 1, keyframe ? 0x65 : 0x41]), Buffer.alloc(size, 0x11)]),
});
// An ADTS frame (LC, 44.1 kHz, stereo) of 20 bytes.
const adts = Buffer.from([0xff, 0xf1, 0x50, 0x80, 0x02, 0x9f, 0xfc, ...new Array(13).fill(0x22)]);
const audioFrame = (pts: number): TsAudioFrame => ({ kind: 'audio', codec: 'aac', pts, data: adts });

function demuxAll(parts: Buffer[]) {
  const demuxer = new TsDemuxer({ strict: true });
  const pes = [...demuxer.feed(Buffer.concat(parts)), ...demuxer.flush()];
  return { demuxer, pes };
}

describe('TsMuxer', () => {
  it('writes PAT/PMT, then video PES carrying PCR = DTS and random access on keyframes', () => {
    const muxer = new TsMuxer();
    muxer.setStreams('h264', 'aac');
    const parts = [...muxer.writeTables(), ...muxer.writeFrame(videoFrame(0, true)), ...muxer.writeFrame(videoFrame(3600, false, 5000))];
    const packets = packetsOf(Buffer.concat(parts));
    expect(packets[0]!.pid).toBe(TsPid.Pat);
    expect(packets[1]!.pid).toBe(TsPid.Pmt);
    const starts = packets.filter((p) => p.pid === TsPid.Video && p.payloadUnitStart);
    expect(starts.map((p) => [p.adaptation?.pcr, p.adaptation?.randomAccess])).toEqual([[0, true], [3600, false]]);
    const { demuxer, pes } = demuxAll(parts);
    expect(demuxer.pmt).toEqual({
      programNumber: 1,
      version: 0,
      pcrPid: TsPid.Video,
      streams: [{ streamType: TsStreamType.H264, pid: TsPid.Video }, { streamType: TsStreamType.AacAdts, pid: TsPid.Audio }],
    });
    expect(pes.map((p) => [p.dts, p.pts, p.data.length])).toEqual([[0, 3600, 1011], [3600, 7200, 5011]]);
  });

  it('merges audio frames into one PES per ~100 ms and flushes the rest on demand', () => {
    const muxer = new TsMuxer();
    muxer.setStreams('h264', 'aac');
    const parts = muxer.writeTables();
    // 23.2 ms apart: the 6th frame (at 116 ms) is the first to reach 100 ms past the first.
    const written: number[] = [];
    for (let i = 0; i < 8; i++) {
      const out = muxer.writeFrame(audioFrame(Math.round(i * 2089.8)));
      written.push(out.length);
      parts.push(...out);
    }
    expect(written).toEqual([0, 0, 0, 0, 0, 1, 0, 0]);
    parts.push(...muxer.flushAudio());
    expect(muxer.flushAudio()).toEqual([]);
    const { pes } = demuxAll(parts);
    expect(pes.map((p) => [p.pts, p.data.length])).toEqual([[0, 6 * 20], [Math.round(6 * 2089.8), 2 * 20]]);
  });

  it('pure audio: PCR and random access on the audio PID', () => {
    const muxer = new TsMuxer({ audioMergeTicks: 0 });
    muxer.setStreams(undefined, 'aac');
    const parts = [...muxer.writeTables(), ...muxer.writeFrame(audioFrame(1800))];
    const packets = packetsOf(Buffer.concat(parts));
    expect(packets[2]!.adaptation).toEqual({ discontinuity: false, randomAccess: true, pcr: 1800 });
    expect(demuxAll(parts).demuxer.pmt?.pcrPid).toBe(TsPid.Audio);
  });

  it('rewrites the tables (new version) when a stream the PMT lacks shows up', () => {
    const muxer = new TsMuxer();
    muxer.setStreams('h264', undefined);
    const parts = [...muxer.writeTables(), ...muxer.writeFrame(videoFrame(0, true))];
    const more = muxer.writeFrame(audioFrame(100));
    expect(packetsOf(Buffer.concat(more)).map((p) => p.pid)).toEqual([TsPid.Pat, TsPid.Pmt]);
    parts.push(...more, ...muxer.flushAudio());
    const { demuxer, pes } = demuxAll(parts);
    expect(demuxer.pmt?.version).toBe(1);
    expect(demuxer.pmt?.streams.map((s) => s.pid)).toEqual([TsPid.Video, TsPid.Audio]);
    // Bounded audio PES complete at once; the unbounded video PES only at the end.
    expect(pes.map((p) => p.pid)).toEqual([TsPid.Audio, TsPid.Video]);
    expect(muxer.audioCodec).toBe('aac');
  });

  it('flushes held audio before audio that goes back in time', () => {
    const muxer = new TsMuxer();
    muxer.setStreams(undefined, 'aac');
    muxer.writeTables();
    expect(muxer.writeFrame(audioFrame(9000))).toEqual([]);
    expect(muxer.writeFrame(audioFrame(100))).toHaveLength(1);
  });
});
