/**
 * Publishes one live stream to another RTMP server for as long as it is started: forward
 * destinations and an edge's push to its origin. Each connection sends the stream's
 * metadata and sequence headers, then frames from a keyframe on, with the source's
 * timestamps. A lost or refused connection is retried on the next target (failover), with
 * a doubling delay after a full round fails; a slow peer costs a bounded queue, not memory
 * without end (see PushQueue).
 */
import { describeError, type TsrsError } from '../../core/errors.js';
import { log } from '../../core/logger.js';
import type { MediaPacket } from '../../kernel/packet.js';
import { encodeAmf0 } from '../../protocol/amf/amf0.js';
import { RtmpClient } from '../../protocol/rtmp/client.js';
import { RtmpCommandName, RtmpMessageType } from '../../protocol/rtmp/messages.js';
import { Backoff, CancellableDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { PushQueue, type PushQueueSource } from './push-queue.js';

export interface RtmpPusherOptions {
  /** `rtmp://host:port/app/stream?query` URLs, tried in order; a failure moves to the next. */
  targets: string[];
  /** Names the link in logs, e.g. `forward /live/s`. */
  label: string;
  source: PushQueueSource;
  followRedirect?: boolean;
  /** Bytes queued for a peer that cannot keep up before dropping to the next keyframe. Default 8 MiB. */
  maxQueueBytes?: number;
  backoff?: BackoffOptions;
  /** Limit for each RTMP step (connect, publish). Default 5000 ms. */
  timeoutMs?: number;
  /** A connection that lasted this long was healthy: the next attempt starts without delay. Default 5000 ms. */
  stableMs?: number;
}

type State = 'idle' | 'connecting' | 'live' | 'waiting' | 'stopped';

const DEFAULT_MAX_QUEUE_BYTES = 8 << 20;
/** Metadata reaches the peer as an encoder sends it: `@setDataFrame` before `onMetaData`. */
const SET_DATA_FRAME = encodeAmf0(RtmpCommandName.SetDataFrame);
const TYPE_OF_KIND = { audio: RtmpMessageType.Audio, video: RtmpMessageType.Video, data: RtmpMessageType.DataAmf0 } as const;

export class RtmpPusher {
  /** What happened so far, for logs and tests. */
  readonly stats = { connects: 0, failures: 0, sent: 0, overflows: 0 };
  private state: State = 'idle';
  private client: RtmpClient | undefined;
  private congested = false;
  private cursor = 0;
  private readonly queue: PushQueue;
  private readonly backoff: Backoff;
  private readonly delay = new CancellableDelay();
  private readonly options: Required<Omit<RtmpPusherOptions, 'backoff'>>;

  constructor(options: RtmpPusherOptions) {
    this.options = {
      followRedirect: false,
      maxQueueBytes: DEFAULT_MAX_QUEUE_BYTES,
      timeoutMs: 5000,
      stableMs: 5000,
      ...options,
    };
    this.queue = new PushQueue(options.source, this.options.maxQueueBytes);
    this.backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF);
  }

  get isLive(): boolean {
    return this.state === 'live';
  }

  get isStopped(): boolean {
    return this.state === 'stopped';
  }

  /** The URL of the current (or last tried) target. */
  get currentTarget(): string {
    return this.options.targets[this.cursor % this.options.targets.length] ?? '';
  }

  /** Packets dropped waiting for a start point or after an overflow. */
  get dropped(): number {
    return this.queue.dropped;
  }

  start(): void {
    if (this.state !== 'idle') return;
    if (this.options.targets.length === 0) {
      this.state = 'stopped';
      return;
    }
    void this.run();
  }

  push(packet: MediaPacket): void {
    if (this.state !== 'live' && this.state !== 'connecting') return;
    if (this.state === 'live' && !this.congested && !this.queue.isSyncing && this.queue.length === 0) {
      this.send(packet);
      return;
    }
    if (!this.queue.push(packet)) {
      if (this.stats.overflows++ === 0 || this.stats.overflows % 100 === 0) {
        log.warn(`${this.options.label}: ${this.currentTarget} cannot keep up, dropped to the next keyframe (${this.stats.overflows} times)`);
      }
    }
    if (this.state === 'live' && !this.congested) this.flush();
  }

  /** Ends the link: a live connection unpublishes cleanly, a pending retry is cancelled. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.delay.cancel();
    this.queue.resync();
    const client = this.client;
    this.client = undefined;
    if (client) await client.close().catch(() => undefined);
  }

  private async run(): Promise<void> {
    const targets = this.options.targets;
    let failedInRound = 0;
    while (!this.isStopped) {
      const url = this.currentTarget;
      const healthy = await this.connectAndPublish(url);
      if (this.isStopped) break;
      this.state = 'waiting';
      if (healthy) {
        this.backoff.reset();
        failedInRound = 0;
        continue;
      }
      this.cursor = (this.cursor + 1) % targets.length;
      if (++failedInRound < targets.length) continue;
      failedInRound = 0;
      const delay = this.backoff.next();
      log.trace(`${this.options.label}: every target failed, retrying in ${delay} ms`);
      if (!(await this.delay.wait(delay))) break;
    }
  }

  /** One connection's life; true when it was up long enough to count as healthy. */
  private async connectAndPublish(url: string): Promise<boolean> {
    this.state = 'connecting';
    this.queue.resync();
    this.congested = false;
    const startedAt = Date.now();
    try {
      const client = await RtmpClient.connect(url, { followRedirect: this.options.followRedirect, timeoutMs: this.options.timeoutMs });
      if (this.isStopped) {
        client.destroy();
        return false;
      }
      this.client = client;
      const closed = new Promise<TsrsError | undefined>((resolve) => client.once('close', resolve));
      await client.publish();
      if (this.isStopped) return false;
      this.stats.connects++;
      this.state = 'live';
      log.trace(`${this.options.label}: publishing to ${client.redirectedTo ?? url}`);
      this.flush();
      const error = await closed;
      if (this.isStopped) return false;
      log.warn(`${this.options.label}: ${url} ended: ${error ? describeError(error) : 'closed by the peer'}`);
    } catch (err) {
      if (this.isStopped) return false;
      this.stats.failures++;
      log.warn(`${this.options.label}: cannot publish to ${url}: ${describeError(err)}`);
      this.client?.destroy();
      this.client = undefined;
      return false;
    }
    this.client = undefined;
    return Date.now() - startedAt >= this.options.stableMs;
  }

  private flush(): void {
    while (!this.congested && this.state === 'live') {
      const packet = this.queue.shift();
      if (!packet) return;
      this.send(packet);
    }
  }

  private send(packet: MediaPacket): void {
    const client = this.client;
    if (!client) return;
    const payload = packet.kind === 'data' ? Buffer.concat([SET_DATA_FRAME, packet.payload]) : packet.payload;
    let writable: boolean;
    try {
      writable = client.sendMessage(TYPE_OF_KIND[packet.kind], packet.timestamp, payload);
    } catch {
      return; // the connection is gone; its close event restarts the link
    }
    this.stats.sent++;
    if (writable) return;
    this.congested = true;
    client.drained().then(
      () => {
        if (this.client !== client) return;
        this.congested = false;
        this.flush();
      },
      () => undefined,
    );
  }
}
