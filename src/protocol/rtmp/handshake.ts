/**
 * Incremental RTMP handshakes, server and client side. Each is fed the bytes read from the
 * socket in whatever pieces they arrive and answers with the bytes to write, whether the
 * handshake is over, and the bytes that followed it (the start of the chunk stream).
 *
 * Memory is bounded: only C0+C1 and then C2 (S0+S1 and then S2 on the client) are held;
 * anything after the last packet is handed back untouched, never copied.
 *
 * The server tries the complex handshake and falls back to the simple one when C1's digest
 * validates under neither schema, exactly as SRS does.
 */
import { randomBytes } from 'node:crypto';
import { TsrsError } from '../../core/errors.js';
import {
  CLIENT_COMPLEX_VERSION,
  FMS_KEY_S1,
  FP_KEY_C1,
  GENUINE_FMS_KEY,
  GENUINE_FP_KEY,
  HANDSHAKE_PACKET_SIZE,
  RTMP_PLAIN_VERSION,
  SERVER_COMPLEX_VERSION,
  createDigestedPacket,
  createResponsePacket,
  findPacketDigest,
  verifyResponsePacket,
  type ComplexSchema,
} from './handshake-complex.js';
import { createEcho, createSimplePacket, createSimpleS1 } from './handshake-simple.js';

export interface HandshakeOutput {
  /** Bytes to write to the peer now (may be empty). */
  send: Buffer;
  done: boolean;
  /** Bytes received after the handshake's last packet; empty until `done`. */
  rest: Buffer;
}

export type HandshakeMode = 'simple' | 'complex';

export interface HandshakeOptions {
  /** Random source (tests pass a deterministic one). */
  random?: (size: number) => Buffer;
  /** Seconds for the time field (SRS uses time(NULL)). */
  now?: () => number;
}

const EMPTY = Buffer.alloc(0);

function defaultNow(): number {
  return Math.floor(Date.now() / 1000);
}

/** Collects exactly `size` bytes out of arbitrarily split input. */
class FixedBuffer {
  readonly data: Buffer;
  filled = 0;

  constructor(readonly size: number) {
    this.data = Buffer.alloc(size);
  }

  get full(): boolean {
    return this.filled === this.size;
  }

  /** Takes what it still needs from `input`; returns the part it did not take. */
  take(input: Buffer): Buffer {
    const n = Math.min(this.size - this.filled, input.length);
    input.copy(this.data, this.filled, 0, n);
    this.filled += n;
    return input.subarray(n);
  }
}

function checkVersion(version: number, what: string): void {
  // Only plain RTMP; 6 (RTMPE) and anything else (an HTTP request, TLS) is refused here.
  if (version !== RTMP_PLAIN_VERSION) {
    throw new TsrsError(
      'RtmpPlainRequired',
      `handshake: ${what} version 0x${version.toString(16).padStart(2, '0')}, only plain RTMP (3) is supported`,
    );
  }
}

export class ServerHandshake {
  private readonly random: (size: number) => Buffer;
  private readonly now: () => number;
  private state: 'c0c1' | 'c2' | 'done' = 'c0c1';
  private c0c1: FixedBuffer | undefined = new FixedBuffer(1 + HANDSHAKE_PACKET_SIZE);
  private c2: FixedBuffer | undefined;
  /** Which handshake the client got; set once C1 has arrived. */
  mode: HandshakeMode | undefined;
  /** The schema of a complex C1. */
  schema: ComplexSchema | undefined;

  constructor(options: HandshakeOptions = {}) {
    this.random = options.random ?? randomBytes;
    this.now = options.now ?? defaultNow;
  }

  get done(): boolean {
    return this.state === 'done';
  }

  feed(data: Buffer): HandshakeOutput {
    if (this.state === 'done') throw new TsrsError('RtmpHandshake', 'handshake: fed after completion');
    let input = data;
    let send: Buffer = EMPTY;
    if (this.state === 'c0c1' && this.c0c1) {
      input = this.c0c1.take(input);
      if (this.c0c1.filled > 0) checkVersion(this.c0c1.data[0]!, 'C0');
      if (!this.c0c1.full) return { send, done: false, rest: EMPTY };
      send = this.answerC1(this.c0c1.data.subarray(1));
      this.c0c1 = undefined;
      this.c2 = new FixedBuffer(HANDSHAKE_PACKET_SIZE);
      this.state = 'c2';
    }
    if (this.state === 'c2' && this.c2) {
      input = this.c2.take(input);
      // C2 is not checked: SRS does not either, and FFmpeg's does not always match.
      if (!this.c2.full) return { send, done: false, rest: EMPTY };
      this.c2 = undefined;
      this.state = 'done';
    }
    return { send, done: true, rest: input };
  }

  /** S0+S1+S2: complex when C1's digest validates, simple otherwise. */
  private answerC1(c1: Buffer): Buffer {
    const s0 = Buffer.from([RTMP_PLAIN_VERSION]);
    const found = findPacketDigest(c1, FP_KEY_C1);
    if (!found) {
      this.mode = 'simple';
      return Buffer.concat([s0, createSimpleS1(c1, this.now(), this.random(HANDSHAKE_PACKET_SIZE)), createEcho(c1)]);
    }
    this.mode = 'complex';
    this.schema = found.schema;
    const s1 = createDigestedPacket(
      this.now(),
      SERVER_COMPLEX_VERSION,
      found.schema,
      FMS_KEY_S1,
      this.random(HANDSHAKE_PACKET_SIZE),
    );
    const s2 = createResponsePacket(found.digest, GENUINE_FMS_KEY, this.random(HANDSHAKE_PACKET_SIZE));
    return Buffer.concat([s0, s1.packet, s2]);
  }
}

export interface ClientHandshakeOptions extends HandshakeOptions {
  /** Send a complex (digest) C1, as FFmpeg and Flash do; some servers require it. Default true. */
  complex?: boolean;
  /** Fail when a complex server's S2 does not prove it saw our C1 digest. Default false. */
  requireValidS2?: boolean;
}

export class ClientHandshake {
  private readonly random: (size: number) => Buffer;
  private readonly now: () => number;
  private readonly complex: boolean;
  private readonly requireValidS2: boolean;
  private state: 'start' | 's0s1' | 's2' | 'done' = 'start';
  private c1: Buffer | undefined;
  private c1Digest: Buffer | undefined;
  private s0s1: FixedBuffer | undefined = new FixedBuffer(1 + HANDSHAKE_PACKET_SIZE);
  private s2: FixedBuffer | undefined;
  /** Which handshake the server answered with; set once S1 has arrived. */
  serverMode: HandshakeMode | undefined;
  /** For a complex server: whether S2 carried the digest of our C1. */
  s2Valid: boolean | undefined;

  constructor(options: ClientHandshakeOptions = {}) {
    this.random = options.random ?? randomBytes;
    this.now = options.now ?? defaultNow;
    this.complex = options.complex ?? true;
    this.requireValidS2 = options.requireValidS2 ?? false;
  }

  get done(): boolean {
    return this.state === 'done';
  }

  /** C0+C1, the first bytes to send. */
  start(): Buffer {
    if (this.state !== 'start') throw new TsrsError('RtmpHandshake', 'handshake: client started twice');
    this.state = 's0s1';
    if (this.complex) {
      // Schema 1 (digest block first), as FFmpeg sends.
      const c1 = createDigestedPacket(this.now(), CLIENT_COMPLEX_VERSION, 1, FP_KEY_C1, this.random(HANDSHAKE_PACKET_SIZE));
      this.c1 = c1.packet;
      this.c1Digest = c1.digest;
    } else {
      this.c1 = createSimplePacket(this.now(), this.random(HANDSHAKE_PACKET_SIZE));
    }
    return Buffer.concat([Buffer.from([RTMP_PLAIN_VERSION]), this.c1]);
  }

  feed(data: Buffer): HandshakeOutput {
    if (this.state === 'start') throw new TsrsError('RtmpHandshake', 'handshake: client fed before start()');
    if (this.state === 'done') throw new TsrsError('RtmpHandshake', 'handshake: fed after completion');
    let input = data;
    let send: Buffer = EMPTY;
    if (this.state === 's0s1' && this.s0s1) {
      input = this.s0s1.take(input);
      if (this.s0s1.filled > 0) checkVersion(this.s0s1.data[0]!, 'S0');
      if (!this.s0s1.full) return { send, done: false, rest: EMPTY };
      // C2 goes out as soon as S1 is in: a server may hold S2 until it sees C2.
      send = this.answerS1(this.s0s1.data.subarray(1));
      this.s0s1 = undefined;
      this.s2 = new FixedBuffer(HANDSHAKE_PACKET_SIZE);
      this.state = 's2';
    }
    if (this.state === 's2' && this.s2) {
      input = this.s2.take(input);
      if (!this.s2.full) return { send, done: false, rest: EMPTY };
      this.checkS2(this.s2.data);
      this.s2 = undefined;
      this.state = 'done';
    }
    return { send, done: true, rest: input };
  }

  private answerS1(s1: Buffer): Buffer {
    const found = this.c1Digest ? findPacketDigest(s1, FMS_KEY_S1) : undefined;
    if (!found) {
      this.serverMode = 'simple';
      return createEcho(s1);
    }
    this.serverMode = 'complex';
    return createResponsePacket(found.digest, GENUINE_FP_KEY, this.random(HANDSHAKE_PACKET_SIZE));
  }

  private checkS2(s2: Buffer): void {
    if (this.serverMode !== 'complex' || !this.c1Digest || !this.c1) return;
    // Some servers answer a complex S1 with a plain echo of C1; accept that too.
    this.s2Valid = verifyResponsePacket(s2, this.c1Digest, GENUINE_FMS_KEY) || s2.equals(this.c1);
    if (!this.s2Valid && this.requireValidS2) {
      throw new TsrsError('RtmpHandshakeDigest', 'handshake: S2 does not carry the digest of our C1');
    }
  }
}
