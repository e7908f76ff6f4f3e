/**
 * One non-blocking recv from a socket's descriptor (native/addon/socket_read_binding.cpp),
 * for sockets whose libuv handle is stopped: the merged-read poller reads publishers this
 * way, a syscall per nap instead of a libuv watch started and stopped around each read.
 */
import type { Socket } from 'node:net';
import { addon } from './addon.js';

const errno = addon.socketReadErrno as { EAGAIN: number; EWOULDBLOCK: number };

/** Bytes read (up to into.length), 0 at the end of the stream, or -errno. */
export function readSocket(fd: number, into: Uint8Array): number {
  return addon.readSocket(fd, into) as number;
}

/** A readSocket result that only means nothing is waiting. */
export function wouldBlock(result: number): boolean {
  return result === -errno.EAGAIN || result === -errno.EWOULDBLOCK;
}

/** The socket's libuv handle and descriptor, while it has one (a plain TCP socket). */
export function socketHandle(socket: Socket): { handle: object; fd: number } | undefined {
  const handle = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle;
  const fd = handle?.fd;
  return handle && typeof fd === 'number' && fd >= 0 ? { handle, fd } : undefined;
}
