import { describe, expect, it } from 'vitest';
import { TsrsError } from '../../../src/core/errors.js';
import { decodeAll, encodeAmf0 } from '../../../src/protocol/amf/amf0.js';
import { encodeAmf3 } from '../../../src/protocol/amf/amf3.js';
import { AmfEcmaArray, amfProperties, type AmfObject } from '../../../src/protocol/amf/amf-types.js';
import {
  PeerBandwidthLimit,
  RtmpChunkStreamId,
  RtmpMessageType,
  StatusCode,
  UserControlEvent,
} from '../../../src/protocol/rtmp/messages.js';
import {
  decodeAbort,
  decodeAcknowledgement,
  decodeSetChunkSize,
  decodeSetPeerBandwidth,
  decodeUserControl,
  decodeWindowAckSize,
  encodeAbort,
  encodeAcknowledgement,
  encodeSetChunkSize,
  encodeSetPeerBandwidth,
  encodeUserControl,
  encodeWindowAckSize,
  type UserControl,
} from '../../../src/protocol/rtmp/messages-control.js';
import { decodeAmfPayload, decodeCommand, decodeData, encodeCommand, encodeData } from '../../../src/protocol/rtmp/messages-command.js';
import {
  encodeCommandError,
  encodeConnectResult,
  encodeCreateStreamResult,
  encodeOnBWDone,
  encodeOnFCPublish,
  encodeOnMetaData,
  encodeOnStatus,
  encodeOnStatusData,
  encodeResult,
  encodeSampleAccess,
  encodeSetDataFrame,
} from '../../../src/protocol/rtmp/messages-replies.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

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

// connect commands captured from FFmpeg 5.1 (chunks reassembled): playing, then publishing.
const FFMPEG_PLAY_CONNECT = hex(
  '020007636f6e6e656374003ff00000000000000300036170700200046c6976650008666c61736856657202000d4c4e5820392c302c' +
    '3132342c320005746355726c02001b72746d703a2f2f3132372e302e302e313a31393335312f6c6976650004667061640100000c' +
    '6361706162696c697469657300402e000000000000000b617564696f436f646563730040afce0000000000000b766964656f436f' +
    '6465637300406f800000000000000d766964656f46756e6374696f6e003ff0000000000000000009',
);
const FFMPEG_PUBLISH_CONNECT = hex(
  '020007636f6e6e656374003ff00000000000000300036170700200046c69766500047479706502000a6e6f6e707269766174650008' +
    '666c617368566572020024464d4c452f332e302028636f6d70617469626c653b204c61766635392e32372e31303029000574635572' +
    '6c02001b72746d703a2f2f3132372e302e302e313a31393335312f6c697665000009',
);

describe('message constants', () => {
  it('match the RTMP spec and SRS chunk stream ids', () => {
    expect(RtmpMessageType).toMatchObject({
      SetChunkSize: 1, Abort: 2, Acknowledgement: 3, UserControl: 4, WindowAckSize: 5, SetPeerBandwidth: 6,
      Audio: 8, Video: 9, DataAmf3: 15, CommandAmf3: 17, DataAmf0: 18, SharedObjectAmf0: 19, CommandAmf0: 20, Aggregate: 22,
    });
    expect(RtmpChunkStreamId).toEqual({
      ProtocolControl: 2, OverConnection: 3, OverConnection2: 4, OverStream: 5, Video: 6, Audio: 7, OverStream2: 8,
    });
  });
});

describe('protocol control payloads', () => {
  it('encode and decode with golden bytes', () => {
    expect(encodeSetChunkSize(60000)).toEqual(hex('0000ea60'));
    expect(decodeSetChunkSize(hex('0000ea60'))).toBe(60000);
    expect(encodeSetChunkSize(0xffffffff)).toEqual(hex('7fffffff')); // the reserved bit stays clear
    expect(decodeSetChunkSize(hex('80000080'))).toBe(0x80000080); // left for the chunk layer to reject
    expect(encodeAbort(3)).toEqual(hex('00000003'));
    expect(decodeAbort(hex('00000003'))).toBe(3);
    expect(encodeAcknowledgement(0xfffffffe)).toEqual(hex('fffffffe'));
    expect(decodeAcknowledgement(hex('fffffffe'))).toBe(0xfffffffe);
    expect(encodeWindowAckSize(2500000)).toEqual(hex('002625a0'));
    expect(decodeWindowAckSize(hex('002625a0 ff'))).toBe(2500000); // trailing bytes ignored
    expect(encodeSetPeerBandwidth(2500000, PeerBandwidthLimit.Dynamic)).toEqual(hex('002625a0 02'));
    expect(decodeSetPeerBandwidth(hex('002625a0 01'))).toEqual({ windowSize: 2500000, limitType: 1 });
  });

  it('encode and decode user control events', () => {
    const cases: [UserControl, string][] = [
      [{ eventType: UserControlEvent.StreamBegin, eventData: 1 }, '0000 00000001'],
      [{ eventType: UserControlEvent.StreamEOF, eventData: 1 }, '0001 00000001'],
      [{ eventType: UserControlEvent.StreamDry, eventData: 1 }, '0002 00000001'],
      [{ eventType: UserControlEvent.SetBufferLength, eventData: 1, extraData: 3000 }, '0003 00000001 00000bb8'],
      [{ eventType: UserControlEvent.StreamIsRecorded, eventData: 1 }, '0004 00000001'],
      [{ eventType: UserControlEvent.PingRequest, eventData: 0x12345678 }, '0006 12345678'],
      [{ eventType: UserControlEvent.PingResponse, eventData: 0x12345678 }, '0007 12345678'],
      [{ eventType: UserControlEvent.FmsEvent0, eventData: 0 }, '001a 00'],
      [{ eventType: UserControlEvent.FmsEvent0Response, eventData: 1 }, '001b 01'],
    ];
    for (const [event, bytes] of cases) {
      expect(encodeUserControl(event)).toEqual(hex(bytes));
      expect(decodeUserControl(hex(bytes))).toEqual(event);
    }
  });

  it('reject short payloads at every length', () => {
    const full: [(b: Buffer) => unknown, Buffer][] = [
      [decodeSetChunkSize, hex('00001000')],
      [decodeAbort, hex('00000003')],
      [decodeAcknowledgement, hex('00000003')],
      [decodeWindowAckSize, hex('00000003')],
      [decodeSetPeerBandwidth, hex('0000000302')],
      [decodeUserControl, hex('0003 00000001 00000bb8')],
      [decodeUserControl, hex('0006 00000001')],
      [decodeUserControl, hex('001a 00')],
    ];
    for (const [decode, bytes] of full) {
      expect(() => decode(bytes)).not.toThrow();
      for (let n = 0; n < bytes.length; n++) expectCode(() => decode(bytes.subarray(0, n)), 'RtmpMessageDecode');
    }
  });
});

describe('command and data messages', () => {
  it('decodes FFmpeg\'s real connect commands', () => {
    const play = decodeCommand(RtmpMessageType.CommandAmf0, FFMPEG_PLAY_CONNECT);
    expect(play).toEqual({
      name: 'connect',
      transactionId: 1,
      commandObject: {
        app: 'live',
        flashVer: 'LNX 9,0,124,2',
        tcUrl: 'rtmp://127.0.0.1:19351/live',
        fpad: false,
        capabilities: 15,
        audioCodecs: 4071,
        videoCodecs: 252,
        videoFunction: 1,
      },
      args: [],
    });
    const publish = decodeCommand(RtmpMessageType.CommandAmf0, FFMPEG_PUBLISH_CONNECT);
    expect(publish.commandObject).toEqual({
      app: 'live',
      type: 'nonprivate',
      flashVer: 'FMLE/3.0 (compatible; Lavf59.27.100)',
      tcUrl: 'rtmp://127.0.0.1:19351/live',
    });
    // Re-encoding gives FFmpeg's exact bytes.
    expect(encodeCommand(play.name, play.transactionId, play.commandObject)).toEqual(FFMPEG_PLAY_CONNECT);
  });

  it('decodes commands with arguments, e.g. play and publish', () => {
    const play = decodeCommand(RtmpMessageType.CommandAmf0, encodeCommand('play', 4, null, 'livestream', -2000, -1000, true));
    expect(play).toEqual({ name: 'play', transactionId: 4, commandObject: null, args: ['livestream', -2000, -1000, true] });
    const short = decodeCommand(RtmpMessageType.CommandAmf0, encodeAmf0('createStream', 2));
    expect(short).toEqual({ name: 'createStream', transactionId: 2, commandObject: null, args: [] });
  });

  it('decodes AMF3 commands (type 17): format byte, then AMF0 values switching to AMF3', () => {
    const payload = Buffer.concat([hex('00'), encodeAmf0('connect', 1), hex('11'), encodeAmf3({ app: 'live', objectEncoding: 3 })]);
    expect(decodeCommand(RtmpMessageType.CommandAmf3, payload)).toEqual({
      name: 'connect',
      transactionId: 1,
      commandObject: { app: 'live', objectEncoding: 3 },
      args: [],
    });
    // A peer that leaves the format byte out still decodes.
    expect(decodeCommand(RtmpMessageType.CommandAmf3, encodeAmf0('play', 0, null, 's')).args).toEqual(['s']);
  });

  it('decodes @setDataFrame / onMetaData data messages (18 and 15)', () => {
    const metadata = new AmfEcmaArray({ duration: 0, width: 1280, height: 720, videocodecid: 7, encoder: 'Lavf59.27.100' });
    const payload = encodeData('@setDataFrame', 'onMetaData', metadata);
    const data = decodeData(RtmpMessageType.DataAmf0, payload);
    expect(data.name).toBe('@setDataFrame');
    expect(data.values[0]).toBe('onMetaData');
    expect(data.values[1]).toBeInstanceOf(AmfEcmaArray);
    expect(amfProperties(data.values[1])).toEqual(metadata.properties);
    const amf3 = decodeData(RtmpMessageType.DataAmf3, Buffer.concat([hex('00'), payload]));
    expect(amf3).toEqual(data);
  });

  it('rejects malformed commands with coded errors', () => {
    expectCode(() => decodeCommand(RtmpMessageType.Audio, encodeAmf0('x', 1)), 'RtmpMessageDecode');
    expectCode(() => decodeCommand(RtmpMessageType.CommandAmf0, Buffer.alloc(0)), 'RtmpAmf0Decode');
    expectCode(() => decodeCommand(RtmpMessageType.CommandAmf0, encodeAmf0(1, 1)), 'RtmpAmf0Decode');
    expect(expectCode(() => decodeCommand(RtmpMessageType.CommandAmf0, encodeAmf0('play')), 'RtmpAmf0Decode').message).toMatch(
      /transaction id is missing/,
    );
    expectCode(() => decodeCommand(RtmpMessageType.CommandAmf0, encodeAmf0('play', 'x')), 'RtmpAmf0Decode');
    expectCode(() => decodeData(RtmpMessageType.DataAmf0, encodeAmf0(null)), 'RtmpAmf0Decode');
    for (let n = 1; n < FFMPEG_PLAY_CONNECT.length; n++) {
      try {
        decodeCommand(RtmpMessageType.CommandAmf0, FFMPEG_PLAY_CONNECT.subarray(0, n));
      } catch (err) {
        expect(err).toBeInstanceOf(TsrsError);
        continue;
      }
      // Only cuts between whole values decode, and they lose the command object.
      expect(n).toBeLessThan(20);
    }
    expect(decodeAmfPayload(RtmpMessageType.CommandAmf3, Buffer.alloc(0))).toEqual([]);
  });
});

describe('server replies', () => {
  it('builds the connect _result in SRS\'s shape', () => {
    const payload = encodeConnectResult({
      objectEncoding: 3,
      server: 'SRS/6.0.0(Bee)',
      version: '6.0.0',
      pid: 1234,
      contextId: 'ab12cd34',
      serverIp: '10.0.0.1',
    });
    const cmd = decodeCommand(RtmpMessageType.CommandAmf0, payload);
    expect(cmd.name).toBe('_result');
    expect(cmd.transactionId).toBe(1);
    expect(cmd.commandObject).toEqual({ fmsVer: 'FMS/3,5,3,888', capabilities: 127, mode: 1 });
    const info = cmd.args[0] as AmfObject;
    expect(Object.keys(info)).toEqual(['level', 'code', 'description', 'objectEncoding', 'data']);
    expect(info).toMatchObject({
      level: 'status',
      code: 'NetConnection.Connect.Success',
      description: 'Connection succeeded',
      objectEncoding: 3,
    });
    expect(info.data).toBeInstanceOf(AmfEcmaArray);
    const data = (info.data as AmfEcmaArray).properties;
    expect(data).toMatchObject({
      version: '3,5,3,888',
      srs_server: 'SRS/6.0.0(Bee)',
      srs_version: '6.0.0',
      srs_server_ip: '10.0.0.1',
      srs_pid: 1234,
      srs_id: 'ab12cd34',
    });
    expect(Object.keys(data).slice(-3)).toEqual(['srs_server_ip', 'srs_pid', 'srs_id']);
    // Without an objectEncoding the client gets 0, and no server ip when unknown.
    const plain = decodeCommand(20, encodeConnectResult({ server: 's', version: 'v', pid: 1, contextId: 'c' }));
    expect((plain.args[0] as AmfObject).objectEncoding).toBe(0);
    expect(((plain.args[0] as AmfObject).data as AmfEcmaArray).properties.srs_server_ip).toBeUndefined();
  });

  it('builds onStatus with extra fields in order', () => {
    const payload = encodeOnStatus({
      code: StatusCode.StreamReset,
      description: 'Playing and resetting stream.',
      extra: { details: 'stream', clientid: 'ASAICiss' },
    });
    const cmd = decodeCommand(20, payload);
    expect(cmd).toMatchObject({ name: 'onStatus', transactionId: 0, commandObject: null });
    expect(Object.entries(cmd.args[0] as AmfObject)).toEqual([
      ['level', 'status'],
      ['code', 'NetStream.Play.Reset'],
      ['description', 'Playing and resetting stream.'],
      ['details', 'stream'],
      ['clientid', 'ASAICiss'],
    ]);
    expect(decodeData(18, encodeOnStatusData(StatusCode.DataStart))).toEqual({
      name: 'onStatus',
      values: [{ code: 'NetStream.Data.Start' }],
    });
  });

  it('builds _error, _result, createStream, onFCPublish and onBWDone', () => {
    const err = decodeCommand(20, encodeCommandError(1, { code: StatusCode.ConnectRejected, description: 'denied' }));
    expect(err).toEqual({
      name: '_error',
      transactionId: 1,
      commandObject: null,
      args: [{ level: 'error', code: 'NetConnection.Connect.Rejected', description: 'denied' }],
    });
    expect(decodeCommand(20, encodeResult(3, null, undefined))).toEqual({ name: '_result', transactionId: 3, commandObject: null, args: [undefined] });
    expect(decodeCommand(20, encodeCreateStreamResult(4, 1))).toEqual({ name: '_result', transactionId: 4, commandObject: null, args: [1] });
    expect(decodeCommand(20, encodeOnFCPublish('onFCPublish', StatusCode.PublishStart, 'Started publishing stream.')).args).toEqual([
      { code: 'NetStream.Publish.Start', description: 'Started publishing stream.' },
    ]);
    // onBWDone, 0, null: golden bytes.
    expect(encodeOnBWDone()).toEqual(hex('02 0008 6f6e4257446f6e65 00 0000000000000000 05'));
  });

  it('builds |RtmpSampleAccess, onMetaData and @setDataFrame', () => {
    expect(encodeSampleAccess(true, false)).toEqual(hex('02 0011 7c52746d7053616d706c65416363657373 0101 0100'));
    expect(decodeAll(encodeSampleAccess())).toEqual(['|RtmpSampleAccess', true, true]);
    const asObject = decodeData(18, encodeOnMetaData({ width: 640, server: 'SRS' }));
    expect(asObject).toEqual({ name: 'onMetaData', values: [{ width: 640, server: 'SRS' }] });
    const asEcma = decodeData(18, encodeOnMetaData(new AmfEcmaArray({ width: 640 })));
    expect(asEcma.values[0]).toBeInstanceOf(AmfEcmaArray);
    const frame = decodeData(18, encodeSetDataFrame({ width: 1 }));
    expect(frame).toEqual({ name: '@setDataFrame', values: ['onMetaData', { width: 1 }] });
  });
});
