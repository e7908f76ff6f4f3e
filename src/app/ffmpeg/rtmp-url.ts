/**
 * Which local stream an ffmpeg output URL publishes (rtmp://127.0.0.1:1935/live?vhost=v/s_sd
 * is vhost v, app live, stream s_sd), resolved as the RTMP server resolves a publisher: used to
 * recognise a transcode's own outputs and to name ingest log files.
 */
import { resolveStreamRequest, streamKey, type StreamRequest } from '../../kernel/stream-url.js';

export function streamOfUrl(url: string, knownVhost: (name: string) => boolean): StreamRequest | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/]+\/./i.test(url)) return undefined;
  // The stream is the last path segment, which may follow the app's query (SRS's form).
  const slash = url.lastIndexOf('/');
  const request = resolveStreamRequest(url.slice(0, slash), url.slice(slash + 1), knownVhost);
  return request.app && request.stream ? request : undefined;
}

export function streamKeyOfUrl(url: string, knownVhost: (name: string) => boolean): string | undefined {
  const r = streamOfUrl(url, knownVhost);
  return r ? streamKey(r.vhost, r.app, r.stream) : undefined;
}
