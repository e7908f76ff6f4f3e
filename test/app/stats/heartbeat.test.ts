import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Heartbeat } from '../../../src/app/stats/heartbeat.js';
import { diffConfig } from '../../../src/core/config/index.js';
import { loadTestConfig, startApiHarness, startHookServer, waitFor, type ApiHarness, type HookServer } from '../../helpers/api-server.js';
import { sample, shapeDiff } from '../api/sample-shape.js';

describe('heartbeat', () => {
  let receiver: HookServer;
  let h: ApiHarness;
  beforeAll(async () => {
    receiver = await startHookServer();
    h = await startApiHarness('http_api { enabled on; listen 127.0.0.1:0; }');
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
  });

  it('posts device_id, ip, summaries and ports to heartbeat.url every interval', async () => {
    const config = loadTestConfig(`listen 19350; http_api { enabled on; listen 1985; }
      heartbeat { enabled on; interval 0.2; url ${receiver.url('/api/v1/servers')}; device_id my-box; summaries on; ports on; }`);
    const beat = new Heartbeat(h.stats);
    await beat.start(config);
    try {
      await waitFor('two beats', () => receiver.requests.length >= 2, 5000, 50);
      const body = JSON.parse(receiver.requests[0]!.body);
      expect(receiver.requests[0]).toMatchObject({ method: 'POST', path: '/api/v1/servers' });
      expect(body).toMatchObject({ device_id: 'my-box', rtmp: ['19350'], api: ['1985'], http: [], srt: [], rtc: [] });
      expect(body.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(shapeDiff(body.summaries, sample('api/api-v1-summaries.json').data)).toEqual([]);

      // Turned off by a reload: no more beats.
      const off = loadTestConfig('heartbeat { enabled off; }');
      await beat.reload(off, diffConfig(config, off));
      const count = receiver.requests.length;
      await new Promise((r) => setTimeout(r, 500));
      expect(receiver.requests.length).toBeLessThanOrEqual(count + 1);
    } finally {
      await beat.close();
    }
  });

  it('survives an unreachable receiver and reports the failure', async () => {
    const config = loadTestConfig('heartbeat { enabled on; interval 10; url http://127.0.0.1:1/x; }');
    const beat = new Heartbeat(h.stats);
    await beat.start(config);
    expect(await beat.beat()).toBe(false);
    await beat.close();
  });
});
