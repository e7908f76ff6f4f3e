/**
 * Stops and restarts reading a connection for any of several reasons at once: a command
 * still being answered (its hooks may take seconds) or merged read (the shared poller reads
 * the socket itself, see merged-read-poller.ts). Reading resumes only when no reason is left.
 *
 * socket.pause() alone only stops 'data' events: Node keeps reading into the stream's
 * buffer up to its high-water mark, one syscall and one JS callback per read. So the gate
 * also stops the libuv handle. It leaves the
 * handle's `reading` flag set, which is what keeps Node's own read-ahead (Socket._read)
 * from restarting it, and restarts the handle itself on release.
 */
import type { Socket } from 'node:net';

export type InputHold = 'command' | 'merged-read';

interface StreamHandle {
  reading?: boolean;
  readStart?: () => number;
  readStop?: () => number;
}

export class InputGate {
  private readonly holds = new Set<InputHold>();
  /** The handle was reading when the gate stopped it (so release restarts it). */
  private stoppedHandle = false;

  constructor(private readonly socket: Socket) {}

  hold(reason: InputHold): void {
    if (this.holds.size === 0) {
      this.socket.pause();
      const handle = this.handle();
      if (handle?.reading && handle.readStop && handle.readStart) {
        handle.readStop();
        this.stoppedHandle = true;
      }
    }
    this.holds.add(reason);
  }

  release(reason: InputHold): void {
    if (!this.holds.delete(reason) || this.holds.size > 0 || this.socket.destroyed) return;
    const handle = this.handle();
    if (this.stoppedHandle && handle?.reading && handle.readStart) handle.readStart();
    this.stoppedHandle = false;
    this.socket.resume();
  }

  private handle(): StreamHandle | undefined {
    return (this.socket as unknown as { _handle?: StreamHandle | null })._handle ?? undefined;
  }
}
