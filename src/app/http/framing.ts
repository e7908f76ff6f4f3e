/** The two ways a live HTTP body is framed on the wire, each computed once per stream message. */
import { CHUNKED_END, chunkParts } from '../../protocol/http/chunked.js';
import { WebSocketCloseCode, WebSocketOpcode, encodeCloseFrame, encodeFrameHeader } from '../../protocol/http/websocket.js';
import type { ChannelFraming } from './stream-channel.js';

/** HTTP/1.1 chunked transfer coding, as SRS's HTTP-FLV (players need no Content-Length). */
export const CHUNKED_FRAMING: ChannelFraming = {
  name: 'http',
  frame: (payload) => chunkParts(payload),
  end: CHUNKED_END,
};

/** One binary WebSocket frame per message (server frames are never masked). */
export const WEBSOCKET_FRAMING: ChannelFraming = {
  name: 'ws',
  frame: (payload) => (payload.length === 0 ? [] : [encodeFrameHeader(WebSocketOpcode.Binary, payload.length), payload]),
  end: encodeCloseFrame(WebSocketCloseCode.Normal, 'stream unpublished'),
};
