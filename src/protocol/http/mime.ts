/**
 * Content types by file extension for what a streaming server's web root holds: HLS and DASH
 * playlists and segments, FLV/MP4 recordings, the players' HTML/JS/CSS. Types follow what
 * SRS and the players expect (HLS clients check application/vnd.apple.mpegurl, some
 * check video/MP2T on segments).
 */
const MIME_BY_EXTENSION: Readonly<Record<string, string>> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/MP2T',
  '.flv': 'video/x-flv',
  '.mp4': 'video/mp4',
  '.m4s': 'video/iso.segment',
  '.m4a': 'audio/mp4',
  '.m4v': 'video/mp4',
  '.mpd': 'application/dash+xml',
  '.aac': 'audio/aac',
  '.mp3': 'audio/mpeg',
  '.key': 'application/octet-stream',
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'text/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.wasm': 'application/wasm',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.swf': 'application/x-shockwave-flash',
  '.f4m': 'application/f4m+xml',
  '.f4v': 'video/x-f4v',
  '.webm': 'video/webm',
};

export const DEFAULT_MIME_TYPE = 'application/octet-stream';

/** The extension with its dot, lower-cased; '' when the last path segment has none. */
export function fileExtension(path: string): string {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  return dot > slash + 1 ? path.slice(dot).toLowerCase() : '';
}

export function mimeTypeOf(path: string): string {
  return MIME_BY_EXTENSION[fileExtension(path)] ?? DEFAULT_MIME_TYPE;
}
