/**
 * createHttpServer's timeouts (src/lib/http-server.ts): a client that sends its headers too slowly, or its body
 * too slowly, is answered 408 and its connection closed within the configured bound (plus Node's checking period),
 * not after Node's 60 s / 300 s. Loopback; the bounds are set low for the test.
 */
import { AddressInfo, connect } from 'node:net';
import { Server } from 'node:http';
import { createHttpServer } from '../../src/lib/http-server';

let server: Server;
let port: number;
beforeAll(async () => {
  server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  }, { headersTimeoutMs: 1_000, requestTimeoutMs: 2_000, maxConnections: 10, maxInFlightPerSocket: 8 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => {
  server.closeAllConnections();
  server.close(() => resolve());
}));

/** Sends `first`, then a byte every 200 ms (never finishing); resolves with what came back and when the connection closed. */
function trickle(first: string, drip: string): Promise<{ answer: string; closedAfterMs: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(first));
    let answer = '';
    const timer = setInterval(() => socket.writable && socket.write(drip), 200);
    socket.on('data', (data) => (answer += data.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, closedAfterMs: Date.now() - started });
    });
    setTimeout(() => socket.destroy(), 8_000).unref();
  });
}

describe('the HTTP server timeouts', () => {
  it('headers sent too slowly: 408 and closed within the headers bound (1 s here) and one checking period', async () => {
    const { answer, closedAfterMs } = await trickle('GET / HTTP/1.1\r\nHost: x\r\n', 'X-A: b\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(closedAfterMs).toBeLessThan(3_500);
  });

  it('a body sent too slowly: 408 and closed within the request bound (2 s here) and one checking period', async () => {
    const { answer, closedAfterMs } = await trickle('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n', 'a');
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(closedAfterMs).toBeLessThan(4_500);
  });
});
