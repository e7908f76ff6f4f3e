import { describe, expect, it } from 'vitest';
import { Inbox } from '../../../src/protocol/rtmp/client-inbox.js';

const item = (n: number, size = 10) => ({ n, payload: Buffer.alloc(size) });

describe('client Inbox', () => {
  it('hands items over in order, to a waiting consumer at once', async () => {
    const inbox = new Inbox<ReturnType<typeof item>>({ maxMessages: 10, maxBytes: 1000 }, { pause() {}, resume() {} });
    const waiting = inbox.next();
    inbox.push(item(1));
    inbox.push(item(2));
    expect((await waiting).value?.n).toBe(1);
    expect((await inbox.next()).value?.n).toBe(2);
    inbox.end();
    expect((await inbox.next()).done).toBe(true);
  });

  it('pauses its producer at the high-water mark and resumes at half', async () => {
    const flow: string[] = [];
    const inbox = new Inbox<ReturnType<typeof item>>({ maxMessages: 4, maxBytes: 1 << 20 }, { pause: () => flow.push('pause'), resume: () => flow.push('resume') });
    for (let i = 0; i < 6; i++) inbox.push(item(i));
    expect(flow).toEqual(['pause']);
    await inbox.next();
    await inbox.next();
    await inbox.next();
    expect(flow).toEqual(['pause']);
    await inbox.next();
    expect(flow).toEqual(['pause', 'resume']);
  });

  it('counts bytes too', () => {
    const flow: string[] = [];
    const inbox = new Inbox<ReturnType<typeof item>>({ maxMessages: 100, maxBytes: 100 }, { pause: () => flow.push('pause'), resume: () => flow.push('resume') });
    inbox.push(item(0, 60));
    inbox.push(item(1, 60));
    expect(flow).toEqual(['pause']);
    expect(inbox.queuedBytes).toBe(120);
  });

  it('drops what is queued when the consumer stops, and resumes the producer', async () => {
    const flow: string[] = [];
    const inbox = new Inbox<ReturnType<typeof item>>({ maxMessages: 2, maxBytes: 1000 }, { pause: () => flow.push('pause'), resume: () => flow.push('resume') });
    inbox.push(item(0));
    inbox.push(item(1));
    for await (const x of inbox) {
      expect(x.n).toBe(0);
      break;
    }
    expect(inbox.length).toBe(0);
    expect(flow).toEqual(['pause', 'resume']);
    inbox.push(item(3));
    expect(inbox.length).toBe(0);
  });
});
