/** The message stream id tsrs gives every createStream (SRS's SRS_DEFAULT_SID). */
export const PLAY_STREAM_ID = 1;

export { RtmpChunkStreamId as ChunkStreamId } from '../../protocol/rtmp/messages.js';
