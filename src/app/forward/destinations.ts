/**
 * Where a published stream is forwarded: each `destination` of the vhost's `forward`
 * section, written as SRS accepts it (`host[:port]`, optionally `/app` or `/app/stream`
 * after it, or a whole `rtmp://` URL), turned into the URL to publish to. The stream keeps
 * its app, name, vhost and the publisher's param unless the destination says otherwise.
 */
import { TsrsError } from '../../core/errors.js';
import { parseRtmpUrl, RTMP_DEFAULT_PORT } from '../../protocol/rtmp/client-url.js';
import { parseHostPort, rtmpUrl, streamWithQuery } from './upstream-url.js';

/** What the forwarded stream is called here. */
export interface ForwardedStream {
  vhost: string;
  app: string;
  stream: string;
  /** The publisher's query (`?token=...`) or ''. */
  param: string;
  /** The host the publisher connected to (SRS guesses the vhost from it). */
  clientHost: string;
}

/** A `rtmp://` URL as the backend or config gives it: kept, our stream appended when it names none. */
export function completeRtmpUrl(url: string, stream: ForwardedStream): string {
  const parsed = parseRtmpUrl(url);
  if (parsed.stream) return url;
  return `${url.replace(/\/+$/, '')}/${streamWithQuery(stream.stream, stream.param, stream.vhost, stream.clientHost)}`;
}

export function destinationUrl(destination: string, stream: ForwardedStream): string {
  const text = destination.trim();
  if (/^rtmp:\/\//i.test(text)) return completeRtmpUrl(text, stream);
  const slash = text.indexOf('/');
  const endpoint = parseHostPort(slash < 0 ? text : text.slice(0, slash), RTMP_DEFAULT_PORT);
  const path = slash < 0 ? '' : text.slice(slash + 1).replace(/^\/+|\/+$/g, '');
  const [app, name, ...rest] = path ? path.split('/') : [];
  if (rest.length > 0) throw new TsrsError('ConfigInvalid', `forward destination "${destination}": expected host[:port][/app[/stream]]`);
  return rtmpUrl(
    endpoint,
    app || stream.app,
    streamWithQuery(name || stream.stream, stream.param, stream.vhost, stream.clientHost),
  );
}
