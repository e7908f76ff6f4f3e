import { describe, expect, it } from 'vitest';
import { pathInside } from '../../../src/app/hls/hls-files.js';
import { HlsWindow, type HlsSegmentRecord } from '../../../src/app/hls/hls-window.js';
import { renderHlsTemplate } from '../../../src/app/hls/path-template.js';
import { parseMediaPlaylist } from '../../../src/protocol/hls/m3u8.js';
import { TsrsError } from '../../../src/core/errors.js';

const segment = (seq: number, duration: number, key?: string): HlsSegmentRecord => ({
  seq,
  duration,
  file: `/hls/s-${seq}.ts`,
  url: `s-${seq}.ts`,
  uri: `s-${seq}.ts`,
  discontinuity: false,
  ...(key ? { key: { uri: key, file: `/hls/${key}` } } : {}),
});

describe('HlsWindow', () => {
  it("keeps the newest segments up to the one crossing hls_window (SRS's rule)", () => {
    const window = new HlsWindow();
    for (let i = 0; i < 6; i++) window.add(segment(i, 10));
    expect(window.shrink(25).map((s) => s.seq)).toEqual([0, 1, 2]);
    expect(window.segments.map((s) => s.seq)).toEqual([3, 4, 5]);
    expect(window.shrink(30).map((s) => s.seq)).toEqual([]); // 30 is not over 30
    expect(window.shrink(1).map((s) => s.seq)).toEqual([3, 4]);
    expect(window.segments.map((s) => s.seq)).toEqual([5]);
  });

  it('renders from the first kept sequence, target from the ratio or the longest segment', () => {
    const window = new HlsWindow();
    window.add(segment(4, 9.5));
    window.add(segment(5, 16.2));
    const parsed = parseMediaPlaylist(window.render(15));
    expect(parsed.mediaSequence).toBe(4);
    expect(parsed.targetDuration).toBe(17);
    expect(parseMediaPlaylist(new HlsWindow().render(15)).targetDuration).toBe(15);
  });

  it('knows which key files no kept segment uses', () => {
    const window = new HlsWindow();
    for (let i = 0; i < 4; i++) window.add(segment(i, 10, `k${Math.floor(i / 2)}.key`));
    window.add(segment(4, 10, 'k2.key'));
    const removed = window.shrink(15); // keeps 3 and 4
    expect(removed.map((s) => s.seq)).toEqual([0, 1, 2]);
    expect(window.orphanKeys(removed)).toEqual(['/hls/k0.key']);
  });
});

describe('renderHlsTemplate', () => {
  const time = new Date(2024, 0, 2, 3, 4, 5, 6);
  const vars = { vhost: 'v', app: 'live', stream: 's', time };

  it('replaces SRS variables', () => {
    expect(renderHlsTemplate('[vhost]/[app]/[stream]-[seq]-[duration].ts', { ...vars, seq: 12, durationMs: 9999.6 })).toBe('v/live/s-12-10000.ts');
    expect(renderHlsTemplate('[2006]/[01]/[02]/[15][04][05][999]', vars)).toBe('2024/01/02/030405006');
    expect(renderHlsTemplate('[timestamp]', vars)).toBe(String(time.getTime()));
    expect(renderHlsTemplate('[timestamp]', { ...vars, floorFragmentMs: 10_000 })).toBe(String(Math.floor(time.getTime() / 10_000)));
  });

  it('leaves unknown and unset variables as written', () => {
    expect(renderHlsTemplate('[app]/[unknown]-[seq]', vars)).toBe('live/[unknown]-[seq]');
  });
});

describe('pathInside', () => {
  it('joins inside the root and refuses ways out', () => {
    expect(pathInside('./objs/nginx/html', 'live/s.m3u8')).toBe('objs/nginx/html/live/s.m3u8');
    expect(pathInside('/srv/hls', 'a/../b.ts')).toBe('/srv/hls/b.ts');
    for (const rel of ['../x.ts', 'live/../../x.ts', '/etc/passwd', '', '.']) {
      expect(() => pathInside('/srv/hls', rel), rel).toThrow(TsrsError);
    }
  });
});
