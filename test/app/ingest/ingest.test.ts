import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planIngests } from '../../../src/app/ingest/ingest-plan.js';
import { IngestService } from '../../../src/app/ingest/ingest-service.js';
import { DEFAULT_VHOST } from '../../../src/kernel/stream-url.js';
import { makeFlv, requireFfmpeg } from '../../helpers/media.js';
import { alive, parseConfig, probe, startTestServer, waitFor, type TestServer } from '../dvr/harness.js';

describe('ingest plans', () => {
  it('a file is read in real time; a disabled engine copies; an enabled one transcodes; [vhost] [port] [engine] filled', () => {
    const config = parseConfig(`
ff_log_dir /var/log/ff;
vhost v.test {
  ingest cam { enabled on; input { type stream; url rtsp://cam/1; } ffmpeg /bin/ff;
    engine { enabled off; output rtmp://127.0.0.1:[port]/live?vhost=[vhost]/cam; }
    engine hd { enabled on; iformat off; vcodec libx264; vwidth 64; vheight 48; acodec an; output rtmp://127.0.0.1:[port]/live?vhost=[vhost]/cam_[engine]; } }
  ingest movie { enabled on; input { type file; url ./a.flv; } ffmpeg ff; engine { enabled off; output rtmp://127.0.0.1:[port]/live/movie; } }
  ingest off { enabled off; input { type file; url ./b.flv; } engine { output rtmp://127.0.0.1/live/b; } }
  ingest none { enabled on; input { type file; url ./c.flv; } }
  ingest nourl { enabled on; engine { output rtmp://127.0.0.1/live/d; } }
  ingest badout { enabled on; input { type file; url ./e.flv; } engine { output /tmp/x.flv; } }
}
vhost gone.test { enabled off; ingest x { enabled on; input { type file; url ./x.flv; } engine { output rtmp://127.0.0.1/live/x; } } }`);
    const jobs = planIngests(config, 19350);
    expect(jobs.map((j) => j.id)).toEqual(['v.test/cam/#0', 'v.test/cam/hd', 'v.test/movie/#0']);
    expect(jobs[0]!.spec).toEqual({
      name: 'ingest v.test/cam engine 0',
      bin: '/bin/ff',
      args: ['-loglevel', 'info', '-i', 'rtsp://cam/1', '-vcodec', 'copy', '-acodec', 'copy', '-f', 'flv', '-y', 'rtmp://127.0.0.1:19350/live?vhost=v.test/cam'],
      logFile: '/var/log/ff/ffmpeg-ingest-v.test-cam-live-cam.log',
    });
    expect(jobs[1]!.spec.args).toEqual(['-loglevel', 'info', '-i', 'rtsp://cam/1', '-vcodec', 'libx264', '-s', '64x48', '-aspect', '64:48', '-an', '-f', 'flv', '-y', 'rtmp://127.0.0.1:19350/live?vhost=v.test/cam_hd']);
    expect(jobs[2]!.spec.args.slice(0, 5)).toEqual(['-loglevel', 'info', '-re', '-i', './a.flv']);
    expect(planIngests(parseConfig('ff_log_dir /dev/null; vhost v { ingest a { enabled on; input { url f.flv; } engine { output rtmp://h/l/s; } } }'), 1)[0]!.spec.logFile).toBe('/dev/null');
  });
});

describe('IngestService with FFmpeg', () => {
  let dir: string;
  let server: TestServer;
  let service: IngestService;
  const text = (file: string, extra = '') => `
ff_log_dir ${dir}/logs;
vhost ${DEFAULT_VHOST} {
  ingest movie {
    enabled on;
    input { type file; url ${file}; }
    ffmpeg ffmpeg;
    engine { enabled off; output rtmp://127.0.0.1:[port]/live/ingested; }
  }
  ${extra}
}`;

  beforeAll(async () => {
    requireFfmpeg();
    dir = mkdtempSync(join(tmpdir(), 'tsrs-ingest-'));
    server = await startTestServer(text(makeFlv(3, 25)));
    service = new IngestService({ rtmpPort: () => server.port });
  });
  afterAll(async () => {
    await service?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an ingested file appears as a stream, is restarted when it ends, and stops when a reload removes it', async () => {
    await service.start(server.config());
    const id = `${DEFAULT_VHOST}/movie/#0`;
    const movie = service.ingesters.get(id)!;
    expect(movie).toBeDefined();
    await waitFor('live/ingested published', () => server.source(DEFAULT_VHOST, 'live', 'ingested')?.isPublishing, 15_000);
    const p = await probe(server.url('live/ingested'), 1);
    expect(p.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(p.streams.find((s) => s.codec_type === 'video')).toMatchObject({ width: 320, height: 240 });

    // The file ends after 3 s; FFmpeg exits and is started again after the back-off.
    await waitFor('a second run', () => movie.starts >= 2, 10_000);
    const log = join(dir, 'logs', `ffmpeg-ingest-${DEFAULT_VHOST}-movie-live-ingested.log`);
    expect(existsSync(log)).toBe(true);
    expect(readFileSync(log, 'utf8')).toContain('Input #0, flv');

    // A reload that changes nothing keeps the same process.
    const pid = await waitFor('running', () => movie.pid);
    let diff = server.setConfig(text(makeFlv(3, 25), '# a comment-only change'));
    await service.reload(server.config(), diff);
    expect(service.ingesters.get(id)).toBe(movie);

    // A reload without the ingest stops it.
    diff = server.setConfig(`vhost ${DEFAULT_VHOST} { }`);
    await service.reload(server.config(), diff);
    expect(service.ingesters.size).toBe(0);
    expect(movie.state).toBe('stopped');
    expect(alive(pid)).toBe(false);
  });
});
