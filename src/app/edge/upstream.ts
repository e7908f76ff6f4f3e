/**
 * An edge's connection to its origin for one stream, whatever the protocol: it delivers
 * the origin's FLV/RTMP media messages until it ends.
 */
import type { TsrsError } from '../../core/errors.js';
import type { HostPort } from '../forward/upstream-url.js';
import type { EdgeProtocol } from './origins.js';

export interface UpstreamHandlers {
  /** An audio (8), video (9) or data (18/15) message, timestamp as the origin sent it. */
  onMessage(typeId: number, timestamp: number, payload: Buffer): void;
  /** The origin says its publisher left; the connection stays for a republish. */
  onUnpublish(): void;
}

export interface UpstreamTarget {
  protocol: EdgeProtocol;
  origin: HostPort;
  app: string;
  /** The stream with its query for the origin (`s?vhost=v&token=t`). */
  stream: string;
  /** Limit for connecting and for each protocol step. */
  timeoutMs: number;
}

export interface Upstream {
  /** Where it pulls from (after any redirect). */
  readonly url: string;
  /** Settles when the upstream ends: with the error, or undefined when close() ended it. */
  readonly ended: Promise<TsrsError | undefined>;
  close(): void;
}
