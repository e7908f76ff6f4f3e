/**
 * Follows every connected client's byte counters: each collection adds what a client
 * moved since the last one to its stream, its vhost and the server, so totals outlive the
 * clients (as SRS's kbps deltas do) while the media path never touches stats.
 */
import type { ClientEntry, ClientInfo } from '../live/context.js';
import { Kbps } from './kbps.js';

export interface TrackedClient {
  readonly entry: ClientEntry;
  lastIn: number;
  lastOut: number;
  readonly kbps: Kbps;
}

/** Where a delta goes; the registry resolves the client's stream and vhost. */
export type DeltaSink = (info: ClientInfo, recv: number, send: number) => void;

export class ClientTracker {
  private readonly tracked = new Map<string, TrackedClient>();
  /** Every client seen since start, and those that ended with an error. */
  total = 0;
  errors = 0;
  private readonly counted = new WeakSet<ClientInfo>();

  constructor(
    private readonly clients: ReadonlyMap<string, ClientEntry>,
    private readonly sink: DeltaSink,
  ) {}

  get(id: string): TrackedClient | undefined {
    return this.tracked.get(id);
  }

  /** A client showed up (a guard ran for it): count it once and start following it. */
  seen(info: ClientInfo): void {
    const entry = this.clients.get(info.id);
    if (entry) this.follow(entry);
    else this.count(info);
  }

  /**
   * A client ended: books its last bytes now rather than at the next tick, and returns the
   * bytes it was sent in all (the session table no longer has it, the tracker still does).
   */
  closed(info: ClientInfo): number {
    const tracked = this.tracked.get(info.id);
    if (tracked && tracked.entry.info === info) {
      this.book(tracked);
      this.forget(tracked);
      return tracked.lastOut;
    }
    // Never sampled (shorter than a tick): its info holds what it moved.
    this.count(info);
    this.sink(info, info.bytesIn, info.bytesOut);
    if (info.closeError) this.errors++;
    return info.bytesOut;
  }

  /** Books every client's delta; clients gone from the session table are booked a last time. */
  collect(): void {
    for (const entry of this.clients.values()) this.book(this.follow(entry));
    for (const tracked of this.tracked.values()) {
      if (this.clients.get(tracked.entry.info.id) === tracked.entry) continue;
      this.book(tracked);
      this.forget(tracked);
    }
  }

  /** Pushes a window sample for every followed client. */
  sample(now: number): void {
    for (const tracked of this.tracked.values()) tracked.kbps.sample(now);
  }

  private follow(entry: ClientEntry): TrackedClient {
    let tracked = this.tracked.get(entry.info.id);
    if (!tracked || tracked.entry !== entry) {
      tracked = { entry, lastIn: 0, lastOut: 0, kbps: new Kbps() };
      this.tracked.set(entry.info.id, tracked);
      this.count(entry.info);
    }
    return tracked;
  }

  private count(info: ClientInfo): void {
    if (this.counted.has(info)) return;
    this.counted.add(info);
    this.total++;
  }

  private book(tracked: TrackedClient): void {
    const recvNow = tracked.entry.info.bytesIn;
    const sendNow = tracked.entry.bytesSent();
    const recv = Math.max(0, recvNow - tracked.lastIn);
    const send = Math.max(0, sendNow - tracked.lastOut);
    tracked.lastIn = Math.max(tracked.lastIn, recvNow);
    tracked.lastOut = Math.max(tracked.lastOut, sendNow);
    if (recv === 0 && send === 0) return;
    tracked.kbps.add(recv, send);
    this.sink(tracked.entry.info, recv, send);
  }

  private forget(tracked: TrackedClient): void {
    this.tracked.delete(tracked.entry.info.id);
    if (tracked.entry.info.closeError) this.errors++;
  }
}
