/**
 * Reads every RTMP connection into one shared buffer, the way Node's `onread` socket option
 * does for sockets it connects (accepted sockets cannot be given that option).
 *
 * Without it each read allocates its own 64 KB buffer and travels through the Readable
 * stream (push, 'data' event): with hundreds of publishers that allocation and its garbage
 * are a large part of the server's CPU. The chunk demuxer copies what it keeps, so the
 * bytes are needed only during the callback and one buffer serves every connection.
 */
import type { Socket } from 'node:net';

/** 64 KB, the size Node's own reads use. */
export const READ_BUFFER_BYTES = 64 * 1024;
const sharedBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);

/** The buffer every connection reads into (contents valid only until the next read). */
export function sharedReadBuffer(): Buffer {
  return sharedBuffer;
}

interface UserBufferHandle {
  useUserBuffer?: (buffer: Uint8Array) => void;
}

/** Node's private slots for the `onread` option, found by their descriptions. */
function onreadSlots(socket: Socket): { buffer: symbol; callback: symbol } | undefined {
  const symbols = Object.getOwnPropertySymbols(socket);
  const buffer = symbols.find((s) => s.description === 'kBuffer');
  const callback = symbols.find((s) => s.description === 'kBufferCb');
  return buffer && callback ? { buffer, callback } : undefined;
}

/**
 * From now on the socket's bytes go to onBytes (a view valid only during the call) instead
 * of 'data' events; EOF and errors still end in 'close'. Returns false, changing nothing,
 * when this Node lacks the internals, so the caller keeps listening to 'data'.
 */
export function readIntoSharedBuffer(socket: Socket, onBytes: (bytes: Buffer) => void): boolean {
  const handle = (socket as unknown as { _handle?: UserBufferHandle | null })._handle;
  const slots = onreadSlots(socket);
  if (!handle?.useUserBuffer || !slots || socket.readableLength > 0) return false;
  const slotsOf = socket as unknown as Record<symbol, unknown>;
  slotsOf[slots.buffer] = sharedBuffer;
  slotsOf[slots.callback] = (bytesRead: number) => {
    onBytes(sharedBuffer.subarray(0, bytesRead));
  };
  handle.useUserBuffer(sharedBuffer);
  return true;
}
