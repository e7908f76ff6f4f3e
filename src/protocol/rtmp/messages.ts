/**
 * RTMP message vocabulary: message type ids, the chunk stream ids SRS sends each kind of
 * message on, user control event types, and the status strings of onStatus/_result replies.
 * Payload codecs live next door: messages-control.ts (protocol control and user control),
 * messages-command.ts (AMF command/data) and messages-replies.ts (the server's standard replies).
 */

export const RtmpMessageType = {
  SetChunkSize: 1,
  Abort: 2,
  Acknowledgement: 3,
  UserControl: 4,
  WindowAckSize: 5,
  SetPeerBandwidth: 6,
  Audio: 8,
  Video: 9,
  DataAmf3: 15,
  SharedObjectAmf3: 16,
  CommandAmf3: 17,
  DataAmf0: 18,
  SharedObjectAmf0: 19,
  CommandAmf0: 20,
  Aggregate: 22,
} as const;

export type RtmpMessageTypeId = (typeof RtmpMessageType)[keyof typeof RtmpMessageType];

/** Chunk stream ids as SRS assigns them (RTMP_CID_*), so peers see the same layout. */
export const RtmpChunkStreamId = {
  ProtocolControl: 0x02,
  OverConnection: 0x03,
  OverConnection2: 0x04,
  OverStream: 0x05,
  Video: 0x06,
  Audio: 0x07,
  OverStream2: 0x08,
} as const;

/** User control (message type 4) event types. */
export const UserControlEvent = {
  StreamBegin: 0,
  StreamEOF: 1,
  StreamDry: 2,
  SetBufferLength: 3,
  StreamIsRecorded: 4,
  PingRequest: 6,
  PingResponse: 7,
  /** FMS extensions SRS knows: 0x1a from the client, 0x1b is the server's answer; 1-byte data. */
  FmsEvent0: 0x1a,
  FmsEvent0Response: 0x1b,
} as const;

/** Set peer bandwidth (type 6) limit types. */
export const PeerBandwidthLimit = {
  Hard: 0,
  Soft: 1,
  Dynamic: 2,
} as const;

export const StatusLevel = {
  Status: 'status',
  Error: 'error',
  Warning: 'warning',
} as const;

/** The NetConnection/NetStream status codes SRS sends. */
export const StatusCode = {
  ConnectSuccess: 'NetConnection.Connect.Success',
  ConnectRejected: 'NetConnection.Connect.Rejected',
  ConnectClosed: 'NetConnection.Connect.Closed',
  StreamReset: 'NetStream.Play.Reset',
  StreamStart: 'NetStream.Play.Start',
  StreamPause: 'NetStream.Pause.Notify',
  StreamUnpause: 'NetStream.Unpause.Notify',
  StreamNotFound: 'NetStream.Play.StreamNotFound',
  StreamStop: 'NetStream.Play.Stop',
  PublishStart: 'NetStream.Publish.Start',
  PublishBadName: 'NetStream.Publish.BadName',
  UnpublishSuccess: 'NetStream.Unpublish.Success',
  DataStart: 'NetStream.Data.Start',
} as const;

/** Command names the server recognises or sends. */
export const RtmpCommandName = {
  Connect: 'connect',
  CreateStream: 'createStream',
  CloseStream: 'closeStream',
  Play: 'play',
  Pause: 'pause',
  OnBWDone: 'onBWDone',
  OnStatus: 'onStatus',
  Result: '_result',
  Error: '_error',
  ReleaseStream: 'releaseStream',
  FCPublish: 'FCPublish',
  FCUnpublish: 'FCUnpublish',
  OnFCPublish: 'onFCPublish',
  OnFCUnpublish: 'onFCUnpublish',
  Publish: 'publish',
  DeleteStream: 'deleteStream',
  GetStreamLength: 'getStreamLength',
  SetDataFrame: '@setDataFrame',
  OnMetaData: 'onMetaData',
  SampleAccess: '|RtmpSampleAccess',
} as const;
