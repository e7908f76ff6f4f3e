import { describe, expect, it } from 'vitest';
import { DEFAULT_MIME_TYPE, fileExtension, mimeTypeOf } from '../../../src/protocol/http/mime.js';

describe('mimeTypeOf', () => {
  it('names the types players check', () => {
    expect(mimeTypeOf('/live/s.m3u8')).toBe('application/vnd.apple.mpegurl');
    expect(mimeTypeOf('/live/s-1.ts')).toBe('video/MP2T');
    expect(mimeTypeOf('/live/s.flv')).toBe('video/x-flv');
    expect(mimeTypeOf('/a.MP4')).toBe('video/mp4');
    expect(mimeTypeOf('/live/s.mpd')).toBe('application/dash+xml');
    expect(mimeTypeOf('/live/s-1.m4s')).toBe('video/iso.segment');
    expect(mimeTypeOf('/index.html')).toMatch(/^text\/html/);
    expect(mimeTypeOf('/a.js')).toMatch(/^text\/javascript/);
    expect(mimeTypeOf('/a.css')).toMatch(/^text\/css/);
    expect(mimeTypeOf('/a.json')).toMatch(/^application\/json/);
    expect(mimeTypeOf('/a.aac')).toBe('audio/aac');
    expect(mimeTypeOf('/a.mp3')).toBe('audio/mpeg');
    expect(mimeTypeOf('/live/s-1.key')).toBe('application/octet-stream');
  });

  it('falls back for unknown, missing and dot-file extensions', () => {
    expect(mimeTypeOf('/a.unknown')).toBe(DEFAULT_MIME_TYPE);
    expect(mimeTypeOf('/README')).toBe(DEFAULT_MIME_TYPE);
    expect(fileExtension('/dir.d/file')).toBe('');
    expect(fileExtension('/.hidden')).toBe('');
    expect(fileExtension('/a.b.TS')).toBe('.ts');
  });
});
