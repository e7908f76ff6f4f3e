/**
 * Synthetic H.264 + AAC messages for RTMP tests: valid FLV tag headers (so the server's
 * keyframe and sequence header detection works) around payloads that carry their own index,
 * so a test can check every message arrived byte-exact and in order.
 */
import type { RtmpClient } from '../../src/protocol/rtmp/client.js';
import { RtmpMessageType } from '../../src/protocol/rtmp/messages.js';
import { FlvReader } from '../../src/protocol/flv/reader.js';

export const VIDEO = RtmpMessageType.Video;
export const AUDIO = RtmpMessageType.Audio;
export const DATA = RtmpMessageType.DataAmf0;

const SPS = Buffer.from('6742c01e95a0a0fd00', 'hex');
const PPS = Buffer.from('68ce3c80', 'hex');

/** FLV AVC sequence header: keyframe|AVC, packet type 0, cts 0, AVCDecoderConfigurationRecord. */
export const AVC_SEQUENCE_HEADER = Buffer.concat([
  Buffer.from([0x17, 0x00, 0, 0, 0, 0x01, 0x42, 0xc0, 0x1e, 0xff, 0xe1]),
  Buffer.from([0, SPS.length]), SPS,
  Buffer.from([0x01, 0, PPS.length]), PPS,
]);

/** FLV AAC sequence header: AAC 44.1 kHz stereo, packet type 0, AudioSpecificConfig (LC, 44.1k, 2ch). */
export const AAC_SEQUENCE_HEADER = Buffer.from([0xaf, 0x00, 0x12, 0x10]);

/** A video frame whose NAL unit body starts with its index; `size` pads it. */
export function videoFrame(index: number, keyframe: boolean, size = 64): Buffer {
  const nalu = Buffer.alloc(Math.max(8, size));
  nalu[0] = keyframe ? 0x65 : 0x41;
  nalu.writeUInt32BE(index >>> 0, 1);
  for (let i = 5; i < nalu.length; i++) nalu[i] = (index + i) & 0xff;
  const header = Buffer.from([keyframe ? 0x17 : 0x27, 0x01, 0, 0, 0, 0, 0, 0, 0]);
  header.writeUInt32BE(nalu.length, 5);
  return Buffer.concat([header, nalu]);
}

export function audioFrame(index: number, size = 32): Buffer {
  const body = Buffer.alloc(Math.max(6, size));
  body[0] = 0xaf;
  body[1] = 0x01;
  body.writeUInt32BE(index >>> 0, 2);
  for (let i = 6; i < body.length; i++) body[i] = (index * 7 + i) & 0xff;
  return body;
}

export interface SyntheticMessage {
  typeId: number;
  /** RTMP timestamp as sent (mod 2^32 on the wire). */
  timestamp: number;
  payload: Buffer;
  keyframe: boolean;
  sequenceHeader: boolean;
}

export interface StreamShape {
  /** Video frames (after the sequence headers). */
  frames: number;
  fps?: number;
  /** Keyframe every this many video frames. */
  gop?: number;
  /** Audio messages per video frame. */
  audioPerVideo?: number;
  /** Timestamp of the first message. */
  startTimestamp?: number;
  videoSize?: number;
  audioSize?: number;
  /** Index of the first frame (so a second run's payloads differ from the first's). */
  firstIndex?: number;
  /** Leave out the sequence headers (a stream continuing in a second batch). */
  noHeaders?: boolean;
}

/** Sequence headers, then video frames interleaved with audio, in send order. */
export function syntheticStream(shape: StreamShape): SyntheticMessage[] {
  const fps = shape.fps ?? 25;
  const gop = shape.gop ?? 25;
  const audioPerVideo = shape.audioPerVideo ?? 2;
  const start = shape.startTimestamp ?? 0;
  const first = shape.firstIndex ?? 0;
  const frameMs = 1000 / fps;
  const out: SyntheticMessage[] = [];
  if (!shape.noHeaders) {
    out.push({ typeId: VIDEO, timestamp: start, payload: AVC_SEQUENCE_HEADER, keyframe: false, sequenceHeader: true });
    out.push({ typeId: AUDIO, timestamp: start, payload: AAC_SEQUENCE_HEADER, keyframe: false, sequenceHeader: true });
  }
  for (let i = 0; i < shape.frames; i++) {
    const t = start + Math.round(i * frameMs);
    const index = first + i;
    const keyframe = i % gop === 0;
    out.push({ typeId: VIDEO, timestamp: t, payload: videoFrame(index, keyframe, shape.videoSize), keyframe, sequenceHeader: false });
    for (let a = 0; a < audioPerVideo; a++) {
      const at = start + Math.round(i * frameMs + (a * frameMs) / audioPerVideo);
      out.push({ typeId: AUDIO, timestamp: at, payload: audioFrame(index * audioPerVideo + a, shape.audioSize), keyframe: false, sequenceHeader: false });
    }
  }
  return out;
}

export interface PaceOptions {
  /** Media time per wall time: 1 real time, 10 ten times faster; Infinity as fast as the socket takes it. */
  speed?: number;
  /** Stops early when it returns true. */
  stop?: () => boolean;
}

/** Sends messages paced by their timestamps, honouring the socket's backpressure. */
export async function sendPaced(client: RtmpClient, messages: SyntheticMessage[], pace: PaceOptions = {}): Promise<number> {
  const speed = pace.speed ?? 1;
  if (messages.length === 0) return 0;
  const t0 = messages[0]!.timestamp;
  const wall0 = performance.now();
  let sent = 0;
  for (const m of messages) {
    if (pace.stop?.()) break;
    if (Number.isFinite(speed)) {
      const due = wall0 + (m.timestamp - t0) / speed;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    }
    if (!client.sendMessage(m.typeId, m.timestamp, m.payload)) await client.drained();
    sent++;
  }
  return sent;
}

/** The index a synthetic frame carries, or -1 for sequence headers and other payloads. */
export function frameIndex(typeId: number, payload: Buffer): number {
  if (typeId === VIDEO && payload.length >= 14 && payload[1] === 0x01) return payload.readUInt32BE(10);
  if (typeId === AUDIO && payload.length >= 6 && payload[1] === 0x01) return payload.readUInt32BE(2);
  return -1;
}

export function isKeyframePayload(payload: Buffer): boolean {
  return payload.length >= 2 && payload[0] === 0x17 && payload[1] === 0x01;
}

export function isSequenceHeaderPayload(typeId: number, payload: Buffer): boolean {
  return (typeId === VIDEO || typeId === AUDIO) && payload.length >= 2 && payload[1] === 0x00;
}

/** The tags of an FLV file as messages to publish, timestamps shifted by `offset`. */
export function flvMessages(data: Buffer, offset = 0): SyntheticMessage[] {
  const reader = new FlvReader();
  return reader.feed(data).map((tag) => ({
    typeId: tag.type,
    timestamp: tag.timestamp + offset,
    payload: tag.data,
    keyframe: tag.type === VIDEO && isKeyframePayload(tag.data),
    sequenceHeader: isSequenceHeaderPayload(tag.type, tag.data),
  }));
}
