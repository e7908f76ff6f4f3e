/** A recording player over RtmpClient: keeps every media message and status it receives. */
import { RtmpClient, type RtmpClientOptions, type RtmpMediaMessage } from '../../src/protocol/rtmp/client.js';
import type { RtmpStatus } from '../../src/protocol/rtmp/client-status.js';
import { AUDIO, VIDEO } from './rtmp-media.js';

export interface RecordingPlayer {
  client: RtmpClient;
  messages: RtmpMediaMessage[];
  statuses: RtmpStatus[];
  readonly video: number;
  readonly audio: number;
  /** Resolves once `test()` holds (checked on every message and status); rejects after timeoutMs. */
  until(test: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
}

export async function startPlayer(url: string, options: RtmpClientOptions & { keepPayloads?: boolean } = {}): Promise<RecordingPlayer> {
  const client = await RtmpClient.connect(url, options);
  const messages: RtmpMediaMessage[] = [];
  const statuses: RtmpStatus[] = [];
  const checks = new Set<() => void>();
  let video = 0;
  let audio = 0;
  const keep = options.keepPayloads ?? true;
  client.on('media', (m) => {
    if (m.typeId === VIDEO) video++;
    else if (m.typeId === AUDIO) audio++;
    messages.push(keep ? m : { ...m, payload: m.payload.subarray(0, 16) });
    for (const c of checks) c();
  });
  client.on('status', (s) => {
    statuses.push(s);
    for (const c of checks) c();
  });
  client.on('close', () => {
    for (const c of checks) c();
  });
  await client.play();
  return {
    client,
    messages,
    statuses,
    get video() {
      return video;
    },
    get audio() {
      return audio;
    },
    until(test, timeoutMs = 5000, what = 'condition') {
      if (test()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (test()) {
            checks.delete(check);
            clearTimeout(timer);
            resolve();
          } else if (client.closed) {
            checks.delete(check);
            clearTimeout(timer);
            reject(new Error(`player closed before ${what} (${messages.length} messages)`));
          }
        };
        const timer = setTimeout(() => {
          checks.delete(check);
          reject(new Error(`player: no ${what} in ${timeoutMs} ms (${video} video, ${audio} audio)`));
        }, timeoutMs);
        checks.add(check);
      });
    },
  };
}
