/**
 * What a link to another server holds while it cannot send (connecting, or the peer reads
 * slower than the stream comes): packets from a start point on, bounded in bytes. When the
 * bound is hit the queue is emptied and waits for the next keyframe, then restarts with the
 * stream's metadata and sequence headers, so the peer always gets a decodable stream and a
 * slow peer costs at most `maxBytes` of memory.
 */
import type { MediaPacket } from '../../kernel/packet.js';

export interface PushQueueSource {
  /** Metadata and sequence headers as they are now. */
  startupPackets(): MediaPacket[];
  readonly hasVideo: boolean;
}

export class PushQueue {
  private items: MediaPacket[] = [];
  private head = 0;
  private bytes = 0;
  /** Dropping until a start point (a keyframe, or any audio frame of an audio-only stream). */
  private syncing = true;
  /** Packets dropped since the queue was made (for logs and tests). */
  dropped = 0;

  constructor(
    private readonly source: PushQueueSource,
    readonly maxBytes: number,
  ) {}

  get length(): number {
    return this.items.length - this.head;
  }

  get byteLength(): number {
    return this.bytes;
  }

  get isSyncing(): boolean {
    return this.syncing;
  }

  /** Adds a packet; returns false when it overflowed and the queue started over. */
  push(packet: MediaPacket): boolean {
    if (this.syncing) {
      if (!this.isStartPoint(packet)) {
        this.dropped++;
        return true;
      }
      this.syncing = false;
      // The keyframe is already in the source's state; its headers describe it.
      for (const startup of this.source.startupPackets()) if (startup !== packet) this.append(startup);
    }
    this.append(packet);
    if (this.bytes > this.maxBytes) {
      this.dropped += this.length;
      this.resync();
      return false;
    }
    return true;
  }

  /** The oldest packet, removed. */
  shift(): MediaPacket | undefined {
    if (this.head >= this.items.length) return undefined;
    const packet = this.items[this.head]!;
    this.items[this.head++] = undefined as unknown as MediaPacket;
    this.bytes -= packet.payload.length;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return packet;
  }

  /** Forgets everything and waits for the next start point (a new connection, an overflow). */
  resync(): void {
    this.items = [];
    this.head = 0;
    this.bytes = 0;
    this.syncing = true;
  }

  private append(packet: MediaPacket): void {
    this.items.push(packet);
    this.bytes += packet.payload.length;
  }

  private isStartPoint(packet: MediaPacket): boolean {
    if (packet.kind === 'video') return packet.isKeyframe && !packet.isSequenceHeader;
    return packet.kind === 'audio' && !packet.isSequenceHeader && !this.source.hasVideo;
  }
}
