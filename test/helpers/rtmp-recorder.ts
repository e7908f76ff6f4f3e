/**
 * A TCP proxy in front of a server that records what each client sent, so a test can
 * replay (or mutate) a real session's bytes.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface Recorder {
  port: number;
  /** Client-to-server bytes of each connection, in connection order. */
  sessions: Buffer[][];
  close(): Promise<void>;
}

export async function startRecorder(upstreamPort: number): Promise<Recorder> {
  const sessions: Buffer[][] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const chunks: Buffer[] = [];
    sessions.push(chunks);
    const upstream = connect({ host: '127.0.0.1', port: upstreamPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (d: Buffer) => {
      chunks.push(Buffer.from(d));
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => client.write(d));
    client.on('end', () => upstream.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    sessions,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
