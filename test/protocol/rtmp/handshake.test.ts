import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TsrsError } from '../../../src/core/errors.js';
import {
  CLIENT_COMPLEX_VERSION,
  FMS_KEY_S1,
  FP_KEY_C1,
  GENUINE_FMS_KEY,
  GENUINE_FP_KEY,
  HANDSHAKE_PACKET_SIZE,
  SERVER_COMPLEX_VERSION,
  createDigestedPacket,
  createResponsePacket,
  digestPosition,
  findPacketDigest,
  keyPosition,
  verifyResponsePacket,
  type ComplexSchema,
} from '../../../src/protocol/rtmp/handshake-complex.js';
import { ClientHandshake, ServerHandshake, type HandshakeOutput } from '../../../src/protocol/rtmp/handshake.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
/** Deterministic "random" bytes: pattern(i) = (i * mul + add) & 0xff. */
const pattern = (mul: number, add: number): Buffer =>
  Buffer.from(Array.from({ length: HANDSHAKE_PACKET_SIZE }, (_, i) => (i * mul + add) & 0xff));
const A = pattern(7, 3);
const B = pattern(13, 5);
const C = pattern(31, 17);
/** A random source handing out the given buffers in turn. */
const randoms = (...bufs: Buffer[]) => {
  let i = 0;
  return (size: number): Buffer => bufs[i++ % bufs.length]!.subarray(0, size);
};
const now = (): number => 0x01020304;

// C0+C1 captured from FFmpeg 5.1 (`ffmpeg -i rtmp://...`): version 9.0.124.2, schema 1.
const FFMPEG_C0C1 = hex(
  '030000000009007c02f778551eceab8e1e362f07c5868a70b266d40220e5086118a22e3697d5fc2b6329c22ee7c7c9b0' +
  'b5b345dfa8398fea3bc879208a1068425aa1174cb57258cfebe24da42ec4ff9da19c7b406f18c95bfdd04ee48b6f8332' +
  '14a47b8bf68eb05254e25ae9a9a8b496c5496f6e9cd7c68cb6bcc84169e67f3e372ffe186da8513862c5afdeb5a1218a' +
  '860baccdd869b253dbab8a0efb59a48c442099875e55b74fd07a1b69af303e099873cb77e2d9e2c4741eb1f506a7f0b2' +
  '962af91f5051c890a320994f4c8b36a01fa9c0f15f4b7cf7b6c3817da60918611d3b02ff7cc94038937537d3382e416b' +
  'd57577834df9caf748352150ce92d0dbb40e871fc364e18b7e3569e39876c1ae0cb79ff6d7ab32f9f011869c8da4191e' +
  'f46d3c1bc6b72d83812f2243d1752a412632d66a2075f5d302f45cdf2b98b802b79805dc4837d84eded1cc42cba7eec3' +
  '137bf86dd0b2d7f624d521a3ff655bcf0df4101341d230e94651628e45a7abf8183101ce981e5e86a6faec5c79aa7ec7' +
  '181ea459ed966e0c932a6f9e4bf554ab7b1c905cde054ed40d2fb89bbfc65752e58cfde4f2a04dc3ad1e5ef4fc64d57b' +
  '071c14146a451f6a043156d2880f5957d78dfd3ff2b880f624ac70f27094f37734eaf1924f66ac3d648ae232930544a4' +
  '420b65eed4696f7f50fe05fc948516650bfb9b65f953d848e3456965d0d76b627a84e35e9ddabd8b43f0fadaee458cdf' +
  '59ebd773922e0ae507d5e64092e90ec67ed8439e8f221c753a9f9216f1cb85b5107bc7cc7c4fb2c3eed1afc709b192f5' +
  '0de69c1ffca5650efb523b5fab5997cac4b7ef5af2bf5973e6293bae1fc1da499be5515077de4ddb3f7fbcd741711c62' +
  'b7d803b8d054cf578182714d1c445bd692ba1b839a09e7266fc85daa8fad433dabbd206cde1ea571770c6bfa7956c266' +
  'ee8435eb01caa6f583c0d83c33eefcf3f97db917bdb299f8a89fb8860ab1cd644c1e82cce1323a9eb79d25f5dc570b70' +
  'b40bb20061743353d0536ecdabd82f2277756228cb54fe6932c4c9bd130d2bfc700bf5d85da6946e96f82e0afd8e9c20' +
  'cfeabf9a6a189bb17bbef539d1d9e73ee966fcb5d6bdbf98444de865be1605e34087b34cdf04e3aff55bd4137c522d2e' +
  '3c7bf2634db326b22a474db7f8a0952ab3510de555396c18a378a8390b73bff7772fb2760fa5786a3b0459c45a1d1b0d' +
  'ff4cbbb65da0ed34f32116c3c2cc2b95825111bcfbb246c1505aa00c970d06d76cc950ce368b220db20487cba02bb1fc' +
  '54b36567b42913d6b885062cd7795601d31a4a8e6d56467fa5c52162676fd526122513c3e47f2e6d9d6a19c4f8795431' +
  'a94ced039221d27ac68a7a770e9305252271459b71d05505c4977b70e96851208bacdcdf7e682b3848840880f1fec2a3' +
  '2fb1406862bc83cad89adf729f3ba6ffd3fe808e8403e7c6a0f6dcda3211898f6f16505b078cc78b80db600ded2f200f' +
  '25ff5dcb31d32cbe2056b8bdc31091631abbd2ac28d61fe32480ec5035bbf35f173393f0d59a21d2300b2db4b59eaa63' +
  'ffe0f93d65dc028516905f22a9c7dff387c4eb78c6300e7ebbb2a6663cfbe5a9977caf5764ba3f0aba57db4e6051e0ae' +
  'c6e05b1bdaa649a97875edbc40bcc4214bb7fef72730d4368acbd3e10ab4c7642a1c53f93ca26db9c766555be26fdff0' +
  'e2a721425b95762b0b776fd3e3eb17313d53129c9f34003c99a5196a8c6aacb6d64b51dd98b27c5b59a70bd941a1ba03' +
  '00fb744cfc499d997e6d93392d28a767d116dfbc2cb9eb40540d11eb304ad9322386fdc597d55d3d1c67bc54df35479a' +
  'fb19ea2cd204dd331efb49c1e172f6bb89fbf58207dcae6c12f8a7598bef1e872c0c35f22b4c29df10f9bb1add3aeb88' +
  '7ab5fb38c036b88346f761c42f295dfe0b437dfb4f30a71276ab7d409ce424963f9ebb4f1f47e52b18786f279b5a8722' +
  '6f66981dd6d0ad11f49af31055ff69710fda3457c4b7852db2e3936d0778bf879f1734ad3a24ffb1ae9584760b9cb045' +
  '2a53ba0962ffe2f605af52830bd211a5488894cc0b052255048711cd198510a9e943bf8b839198455fbd41073005d303' +
  '990b88d9b63656d43cfec8ed83748f4b0f0fc5120216794b22a054e5bc58abd8c41096070884393453ce509694afbeab' +
  'e0',
);

function expectCode(run: () => unknown, codeName: string): TsrsError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(TsrsError);
    expect((err as TsrsError).codeName).toBe(codeName);
    return err as TsrsError;
  }
  throw new Error(`expected ${codeName}`);
}

function c0(c1: Buffer): Buffer {
  return Buffer.concat([Buffer.from([3]), c1]);
}

describe('complex handshake layout', () => {
  it('has Adobe\'s keys', () => {
    expect(GENUINE_FP_KEY).toHaveLength(62);
    expect(GENUINE_FMS_KEY).toHaveLength(68);
    expect(FP_KEY_C1.toString('ascii')).toBe('Genuine Adobe Flash Player 001');
    expect(FMS_KEY_S1.toString('ascii')).toBe('Genuine Adobe Flash Media Server 001');
    expect(GENUINE_FMS_KEY.subarray(36).toString('hex')).toBe('f0eec24a8068bee82e00d0d1029e7e576eec5d2d29806fab93b8e636cfeb31ae');
    expect(GENUINE_FP_KEY.subarray(30)).toEqual(GENUINE_FMS_KEY.subarray(36));
  });

  it('places digest and key where the offset bytes say (known vector)', () => {
    // Digest offsets are bytes 772..775 (schema 0) or 8..11 (schema 1); key offsets the last 4 bytes of the key block.
    const s0 = createDigestedPacket(0x01020304, 0x09007c02, 0, FP_KEY_C1, A);
    const s1 = createDigestedPacket(0x01020304, 0x09007c02, 1, FP_KEY_C1, A);
    const sum = (p: Buffer, at: number): number => p[at]! + p[at + 1]! + p[at + 2]! + p[at + 3]!;
    expect(s0.position).toBe(772 + 4 + (sum(s0.packet, 772) % 728));
    expect(s0.position).toBe(1014);
    expect(s1.position).toBe(8 + 4 + (sum(s1.packet, 8) % 728));
    expect(s1.position).toBe(66);
    expect(keyPosition(s0.packet, 0)).toBe(8 + (sum(s0.packet, 8 + 760) % 632));
    expect(keyPosition(s0.packet, 0)).toBe(230);
    expect(keyPosition(s1.packet, 1)).toBe(882);
    expect(s0.packet.readUInt32BE(0)).toBe(0x01020304);
    expect(s0.packet.readUInt32BE(4)).toBe(0x09007c02);
    // Digests computed independently (Python hmac) for this exact packet.
    expect(s0.digest.toString('hex')).toBe('f493368c78f4ab9cf4e525ce0b0780a7cc359b40778de46075a9d11a938062fb');
    expect(s1.digest.toString('hex')).toBe('7c849434e57ca7065734b36720bd2d5d16f6839ed14b4d3eee5a130e2a4ba9a3');
    expect(s0.packet.subarray(1014, 1046)).toEqual(s0.digest);
    // And with node's HMAC directly: the packet minus its digest bytes, keyed by the 30-byte player key.
    const h = createHmac('sha256', 'Genuine Adobe Flash Player 001');
    h.update(s1.packet.subarray(0, 66));
    h.update(s1.packet.subarray(98));
    expect(h.digest()).toEqual(s1.digest);
    // Everything else is the random input.
    expect(s1.packet.subarray(8, 66)).toEqual(A.subarray(0, 58));
    expect(s1.packet.subarray(98)).toEqual(A.subarray(90, 1528));
  });

  it('finds the schema a digest validates under, and nothing in a plain packet', () => {
    for (const schema of [0, 1] as ComplexSchema[]) {
      const c1 = createDigestedPacket(1, 2, schema, FP_KEY_C1, A);
      expect(findPacketDigest(c1.packet, FP_KEY_C1)).toEqual({ schema, position: c1.position, digest: c1.digest });
      expect(findPacketDigest(c1.packet, FMS_KEY_S1)).toBeUndefined();
      const broken = Buffer.from(c1.packet);
      broken[c1.position] ^= 1;
      expect(findPacketDigest(broken, FP_KEY_C1)).toBeUndefined();
    }
    expect(findPacketDigest(Buffer.alloc(HANDSHAKE_PACKET_SIZE), FP_KEY_C1)).toBeUndefined();
    expect(findPacketDigest(Buffer.alloc(100), FP_KEY_C1)).toBeUndefined();
  });

  it('validates a real FFmpeg C1 (schema 1, digest at 494)', () => {
    const c1 = FFMPEG_C0C1.subarray(1);
    expect(FFMPEG_C0C1).toHaveLength(1537);
    expect(c1.readUInt32BE(4)).toBe(CLIENT_COMPLEX_VERSION);
    expect([...c1.subarray(8, 12)]).toEqual([247, 120, 85, 30]);
    expect(digestPosition(c1, 1)).toBe(12 + ((247 + 120 + 85 + 30) % 728));
    const found = findPacketDigest(c1, FP_KEY_C1);
    expect(found?.schema).toBe(1);
    expect(found?.position).toBe(494);
    expect(found?.digest.toString('hex')).toBe('650bfb9b65f953d848e3456965d0d76b627a84e35e9ddabd8b43f0fadaee458c');
  });

  it('signs S2/C2 with a key derived from the peer digest (known vector)', () => {
    const c1 = createDigestedPacket(0x01020304, 0x09007c02, 0, FP_KEY_C1, A);
    const s2 = createResponsePacket(c1.digest, GENUINE_FMS_KEY, B);
    expect(s2.subarray(0, 1504)).toEqual(B.subarray(0, 1504));
    expect(s2.subarray(1504).toString('hex')).toBe('395956ceee0604903072784b5bbe855f06f19bf48b665fd825099b5def39a2f8');
    expect(verifyResponsePacket(s2, c1.digest, GENUINE_FMS_KEY)).toBe(true);
    expect(verifyResponsePacket(s2, c1.digest, GENUINE_FP_KEY)).toBe(false);
    const tampered = Buffer.from(s2);
    tampered[3] ^= 0x80;
    expect(verifyResponsePacket(tampered, c1.digest, GENUINE_FMS_KEY)).toBe(false);
    expect(verifyResponsePacket(s2.subarray(0, 100), c1.digest, GENUINE_FMS_KEY)).toBe(false);
  });
});

describe('ServerHandshake', () => {
  it.each([0, 1] as ComplexSchema[])('answers a complex C1 of schema %d with a complex S1/S2', (schema) => {
    const c1 = createDigestedPacket(0x01020304, 0x09007c02, schema, FP_KEY_C1, A);
    const server = new ServerHandshake({ random: randoms(C, B), now });
    const out = server.feed(c0(c1.packet));
    expect(out.done).toBe(false);
    expect(out.send).toHaveLength(1 + 2 * HANDSHAKE_PACKET_SIZE);
    expect(server.mode).toBe('complex');
    expect(server.schema).toBe(schema);
    expect(out.send[0]).toBe(3);
    const s1 = out.send.subarray(1, 1537);
    const s2 = out.send.subarray(1537);
    expect(s1.readUInt32BE(0)).toBe(0x01020304);
    expect(s1.readUInt32BE(4)).toBe(SERVER_COMPLEX_VERSION);
    expect(findPacketDigest(s1, FMS_KEY_S1)?.schema).toBe(schema);
    expect(verifyResponsePacket(s2, c1.digest, GENUINE_FMS_KEY)).toBe(true);
    if (schema === 0) {
      expect(s2.subarray(1504).toString('hex')).toBe('395956ceee0604903072784b5bbe855f06f19bf48b665fd825099b5def39a2f8');
    }
    const end = server.feed(Buffer.alloc(HANDSHAKE_PACKET_SIZE));
    expect(end).toEqual({ send: Buffer.alloc(0), done: true, rest: Buffer.alloc(0) });
    expect(server.done).toBe(true);
  });

  it('answers FFmpeg\'s real C1 with S1/S2 FFmpeg\'s own checks accept', () => {
    const server = new ServerHandshake();
    const out = server.feed(FFMPEG_C0C1);
    expect(server.mode).toBe('complex');
    expect(server.schema).toBe(1);
    // FFmpeg checks S1 with the 36-byte server key and S2 against HMAC(its C1 digest, full server key).
    expect(findPacketDigest(out.send.subarray(1, 1537), FMS_KEY_S1)).toBeDefined();
    const c1Digest = FFMPEG_C0C1.subarray(1 + 494, 1 + 494 + 32);
    expect(verifyResponsePacket(out.send.subarray(1537), c1Digest, GENUINE_FMS_KEY)).toBe(true);
  });

  it('falls back to the simple handshake for a zero C1', () => {
    const c1 = Buffer.alloc(HANDSHAKE_PACKET_SIZE);
    c1.writeUInt32BE(0xaabbccdd, 0);
    const server = new ServerHandshake({ random: randoms(C), now });
    const out = server.feed(c0(c1));
    expect(server.mode).toBe('simple');
    expect(server.schema).toBeUndefined();
    const s1 = out.send.subarray(1, 1537);
    expect(s1.readUInt32BE(0)).toBe(0x01020304);
    expect(s1.readUInt32BE(4)).toBe(0xaabbccdd); // C1's time, as SRS copies it
    expect(s1.subarray(8)).toEqual(C.subarray(0, 1528));
    expect(out.send.subarray(1537)).toEqual(c1); // S2 echoes C1
  });

  it('falls back to simple for a C1 whose digest does not validate', () => {
    const c1 = Buffer.from(createDigestedPacket(0, CLIENT_COMPLEX_VERSION, 1, FP_KEY_C1, A).packet);
    c1[1000] ^= 1;
    const server = new ServerHandshake();
    server.feed(c0(c1));
    expect(server.mode).toBe('simple');
  });

  it('gives the same answer and leftover for every split of the byte stream', () => {
    const c1 = createDigestedPacket(5, CLIENT_COMPLEX_VERSION, 1, FP_KEY_C1, A).packet;
    const chunkStart = Buffer.from('chunk-stream-bytes');
    const stream = Buffer.concat([c0(c1), pattern(3, 1), chunkStart]);
    const run = (pieces: Buffer[]): { send: Buffer; rest: Buffer; doneAt: number } => {
      const server = new ServerHandshake({ random: randoms(C, B), now });
      const sends: Buffer[] = [];
      let rest: Buffer = Buffer.alloc(0);
      let doneAt = -1;
      pieces.forEach((piece, i) => {
        if (server.done) {
          rest = Buffer.concat([rest, piece]);
          return;
        }
        const out: HandshakeOutput = server.feed(piece);
        sends.push(out.send);
        if (out.done) {
          doneAt = i;
          rest = out.rest;
        }
      });
      return { send: Buffer.concat(sends), rest, doneAt };
    };
    const whole = run([stream]);
    expect(whole.doneAt).toBe(0);
    expect(whole.rest).toEqual(chunkStart);
    for (let cut = 0; cut <= stream.length; cut++) {
      const r = run([stream.subarray(0, cut), stream.subarray(cut)]);
      expect(r.send.equals(whole.send)).toBe(true);
      expect(r.rest.equals(chunkStart)).toBe(true);
    }
    const bytewise = run([...stream].map((b) => Buffer.from([b])));
    expect(bytewise.send).toEqual(whole.send);
    expect(bytewise.rest).toEqual(chunkStart);
    expect(bytewise.doneAt).toBe(1 + 2 * HANDSHAKE_PACKET_SIZE - 1);
  });

  it('hands back the bytes after C2 without copying them', () => {
    const input = Buffer.concat([c0(Buffer.alloc(HANDSHAKE_PACKET_SIZE)), Buffer.alloc(HANDSHAKE_PACKET_SIZE), Buffer.alloc(1 << 20, 1)]);
    const out = new ServerHandshake().feed(input);
    expect(out.done).toBe(true);
    expect(out.rest).toHaveLength(1 << 20);
    expect(out.rest.buffer).toBe(input.buffer);
  });

  it('rejects a C0 other than 3 on its first byte', () => {
    for (const first of [0x00, 0x06, 0x08, 0x47 /* 'G' of an HTTP GET */, 0x16 /* TLS */, 0xff]) {
      const err = expectCode(() => new ServerHandshake().feed(Buffer.from([first])), 'RtmpPlainRequired');
      expect(err.message).toMatch(/version/);
    }
    expectCode(() => new ServerHandshake().feed(Buffer.from('GET / HTTP/1.1\r\n')), 'RtmpPlainRequired');
  });

  it('refuses input after completion', () => {
    const server = new ServerHandshake();
    server.feed(Buffer.concat([c0(Buffer.alloc(HANDSHAKE_PACKET_SIZE)), Buffer.alloc(HANDSHAKE_PACKET_SIZE)]));
    expectCode(() => server.feed(Buffer.from([1])), 'RtmpHandshake');
  });

  it('waits on an empty feed', () => {
    expect(new ServerHandshake().feed(Buffer.alloc(0))).toEqual({ send: Buffer.alloc(0), done: false, rest: Buffer.alloc(0) });
  });
});

describe('ClientHandshake', () => {
  it('sends a complex schema-1 C1 signed with the player key', () => {
    const client = new ClientHandshake({ random: randoms(A), now });
    const c0c1 = client.start();
    expect(c0c1).toHaveLength(1537);
    expect(c0c1[0]).toBe(3);
    const c1 = c0c1.subarray(1);
    expect(c1.readUInt32BE(4)).toBe(CLIENT_COMPLEX_VERSION);
    expect(findPacketDigest(c1, FP_KEY_C1)?.schema).toBe(1);
    expect(c1).toEqual(createDigestedPacket(0x01020304, CLIENT_COMPLEX_VERSION, 1, FP_KEY_C1, A).packet);
    expectCode(() => client.start(), 'RtmpHandshake');
  });

  it('completes a complex handshake with our server, and every split works', () => {
    const client = new ClientHandshake({ random: randoms(A, B), now });
    const server = new ServerHandshake({ random: randoms(C, B), now });
    const toServer = server.feed(client.start());
    const tail = Buffer.from('server chunk bytes');
    const fromServer = Buffer.concat([toServer.send, tail]);
    const out = client.feed(fromServer);
    expect(out.done).toBe(true);
    expect(out.rest).toEqual(tail);
    expect(client.serverMode).toBe('complex');
    expect(client.s2Valid).toBe(true);
    // C2 proves the client saw S1's digest.
    const s1Digest = findPacketDigest(toServer.send.subarray(1, 1537), FMS_KEY_S1)!.digest;
    expect(verifyResponsePacket(out.send, s1Digest, GENUINE_FP_KEY)).toBe(true);
    const end = server.feed(out.send);
    expect(end.done).toBe(true);

    for (let cut = 0; cut <= fromServer.length; cut++) {
      const c = new ClientHandshake({ random: randoms(A, B), now });
      c.start();
      const first = c.feed(fromServer.subarray(0, cut));
      const second = first.done ? undefined : c.feed(fromServer.subarray(cut));
      const sent = Buffer.concat([first.send, second?.send ?? Buffer.alloc(0)]);
      const rest = first.done ? Buffer.concat([first.rest, fromServer.subarray(cut)]) : second!.rest;
      expect(sent.equals(out.send)).toBe(true);
      expect(rest.equals(tail)).toBe(true);
      expect(c.done).toBe(true);
    }
  });

  it('sends C2 as soon as S1 is in, before S2', () => {
    const client = new ClientHandshake({ random: randoms(A, B), now });
    const server = new ServerHandshake({ random: randoms(C, B), now });
    const s0s1s2 = server.feed(client.start()).send;
    const out = client.feed(s0s1s2.subarray(0, 1537));
    expect(out.done).toBe(false);
    expect(out.send).toHaveLength(HANDSHAKE_PACKET_SIZE);
    expect(client.feed(s0s1s2.subarray(1537)).done).toBe(true);
  });

  it('echoes S1 to a simple server', () => {
    const client = new ClientHandshake({ random: randoms(A), now });
    client.start();
    const s1 = Buffer.from(B);
    const s2 = Buffer.alloc(HANDSHAKE_PACKET_SIZE, 9);
    const out = client.feed(Buffer.concat([Buffer.from([3]), s1, s2]));
    expect(out.done).toBe(true);
    expect(client.serverMode).toBe('simple');
    expect(out.send).toEqual(s1);
    expect(client.s2Valid).toBeUndefined();
  });

  it('does a simple handshake when asked, and our server answers simply', () => {
    const client = new ClientHandshake({ complex: false, random: randoms(A), now });
    const c0c1 = client.start();
    expect(c0c1.readUInt32BE(5)).toBe(0); // zero version field: a plain C1
    const server = new ServerHandshake({ random: randoms(C), now });
    const s = server.feed(c0c1);
    expect(server.mode).toBe('simple');
    const out = client.feed(s.send);
    expect(out.done).toBe(true);
    expect(client.serverMode).toBe('simple');
    expect(out.send).toEqual(s.send.subarray(1, 1537));
    expect(server.feed(out.send).done).toBe(true);
  });

  it('accepts a complex S1 with an echoed S2, and can insist on a valid S2', () => {
    const makeReply = (client: ClientHandshake, s2: (c1: Buffer) => Buffer): Buffer => {
      const c1 = client.start().subarray(1);
      const s1 = createDigestedPacket(1, SERVER_COMPLEX_VERSION, 0, FMS_KEY_S1, C).packet;
      return Buffer.concat([Buffer.from([3]), s1, s2(c1)]);
    };
    const lenient = new ClientHandshake();
    expect(lenient.feed(makeReply(lenient, (c1) => c1)).done).toBe(true);
    expect(lenient.serverMode).toBe('complex');
    expect(lenient.s2Valid).toBe(true);

    const garbage = new ClientHandshake();
    expect(garbage.feed(makeReply(garbage, () => Buffer.alloc(HANDSHAKE_PACKET_SIZE, 1))).done).toBe(true);
    expect(garbage.s2Valid).toBe(false);

    const strict = new ClientHandshake({ requireValidS2: true });
    const reply = makeReply(strict, () => Buffer.alloc(HANDSHAKE_PACKET_SIZE, 1));
    expectCode(() => strict.feed(reply), 'RtmpHandshakeDigest');
  });

  it('rejects a bad S0, feeding before start and feeding after the end', () => {
    expectCode(() => new ClientHandshake().feed(Buffer.from([3])), 'RtmpHandshake');
    const bad = new ClientHandshake();
    bad.start();
    expectCode(() => bad.feed(Buffer.from([6])), 'RtmpPlainRequired');
    const client = new ClientHandshake({ complex: false });
    client.start();
    client.feed(Buffer.concat([Buffer.from([3]), Buffer.alloc(2 * HANDSHAKE_PACKET_SIZE)]));
    expectCode(() => client.feed(Buffer.from([0])), 'RtmpHandshake');
  });
});
