import http, { IncomingHttpHeaders } from 'node:http';
import { AddressInfo } from 'node:net';
import { closeServer, listenOnLoopback } from './loopback-server';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * An HTTP server on loopback that records every request it gets and answers 200 `{}` (an SMS gateway, an OTLP
 * receiver, in the tests).
 */
export class HttpRecorder {
  readonly requests: RecordedRequest[] = [];

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<HttpRecorder> {
    const server = http.createServer();
    const recorder = new HttpRecorder(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        recorder.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await listenOnLoopback(server);
    return recorder;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }
}
