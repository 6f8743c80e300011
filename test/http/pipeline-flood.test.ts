/**
 * One connection must not starve everyone: 20,000 getStatus requests pipelined on one socket that never reads its
 * answers, while another client polls getStatus. The flood is handled at most HTTP_MAX_IN_FLIGHT_PER_SOCKET
 * requests at a time and then not read at all (its answers fill the socket), so the poller keeps being answered,
 * promptly; random X-Partner-Id values on a third socket leave the partner cache within its bounds.
 * Loopback only; the flood is bounded in count and time.
 */
import { Agent, request } from 'node:http';
import { Socket, connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { TestApp, newRequestId, startTestApp } from '../support/test-app';
import { PATHS, applyAndDecide } from '../support/journey';

jest.setTimeout(120_000);

const FLOOD = 20_000;
const POLL_MS = 6_000;

let t: TestApp;
let listening: Awaited<ReturnType<TestApp['listen']>>;
beforeAll(async () => {
  t = await startTestApp({ worker: true });
  listening = await t.listen();
});
afterAll(async () => {
  await listening?.close();
  await t?.stop();
});

/** One pipelined getStatus request as bytes (the sandbox partner, or `partnerId`). */
function getStatusBytes(gid: string, epochMillis: number, partnerId?: string): Buffer {
  const body = JSON.stringify({ requestHeader: { requestId: newRequestId(), requestTimestamp: { epochMillis: String(epochMillis) }, protocolVersion: { major: 1 } }, data: { googleApplicationId: gid } });
  const partner = partnerId ? `X-Partner-Id: ${partnerId}\r\n` : '';
  return Buffer.from(`POST ${PATHS.getStatus} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${partner}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

/**
 * Writes `requests` (made up front, so making them does not stall this process meanwhile) on a socket that
 * never reads, as fast as the socket takes them, until `until`.
 */
function flood(requests: Buffer[], until: number): { socket: Socket; written: () => number; done: Promise<void> } {
  const all = Buffer.concat(requests);
  const ends: number[] = [];
  requests.reduce((end, r) => (ends.push(end + r.length), end + r.length), 0);
  const socket = connect(listening.port, '127.0.0.1');
  socket.on('error', () => undefined);
  let offset = 0;
  const SLICE = 64 * 1024;
  const done = new Promise<void>((resolve) => {
    const pump = () => {
      while (offset < all.length && Date.now() < until && !socket.destroyed) {
        const ok = socket.write(all.subarray(offset, offset + SLICE));
        offset += SLICE;
        if (!ok) return void socket.once('drain', pump);
      }
      resolve();
    };
    socket.once('connect', pump);
    setTimeout(resolve, Math.max(0, until - Date.now())).unref();
  });
  // Requests wholly handed to the socket (what the kernel took, or holds for it).
  return { socket, written: () => ends.filter((end) => end <= Math.min(offset, all.length) - socket.writableLength).length, done };
}

function poll(agent: Agent, gid: string): Promise<{ status: number; ms: number }> {
  const body = JSON.stringify({ requestHeader: { requestId: newRequestId(), requestTimestamp: { epochMillis: String(t.clock.now().getTime()) }, protocolVersion: { major: 1 } }, data: { googleApplicationId: gid } });
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port: listening.port, path: PATHS.getStatus, method: 'POST', agent, timeout: 10_000, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve({ status: 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    req.end(body);
  });
}

describe('one connection flooding pipelined requests', () => {
  it('does not starve another client: its getStatus polls keep answering 200 in under a second, memory stays bounded, and random partner ids leave the cache bounded', async () => {
    const { gid } = await applyAndDecide(t);
    const now = t.clock.now().getTime();
    const rssBefore = process.memoryUsage().rss;
    const floodRequests = Array.from({ length: FLOOD }, () => getStatusBytes(gid, now));
    const randomIdRequests = Array.from({ length: 2_000 }, () => getStatusBytes(gid, now, `probe-${randomBytes(6).toString('hex')}`));
    const until = Date.now() + 500 + POLL_MS;
    const flooding = flood(floodRequests, until);
    const randomIds = flood(randomIdRequests, until);
    let handled = 0;
    listening.server.on('request', (_req, res) => res.once('finish', () => handled++));
    await new Promise((resolve) => setTimeout(resolve, 500));

    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const polls: Array<{ status: number; ms: number }> = [];
    let rssPeak = rssBefore;
    while (Date.now() < until) {
      polls.push(await poll(agent, gid));
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await Promise.all([flooding.done, randomIds.done]);
    agent.destroy();
    const sorted = polls.map((p) => p.ms).sort((a, b) => a - b);
    const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
    const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
    process.stdout.write(`pipelined flood: ${flooding.written()} requests taken by one socket (${handled} answered in all), ${randomIds.written()} with random partner ids on another; ` +
      `${polls.length} polls, median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, slowest ${sorted[sorted.length - 1].toFixed(1)} ms; ` +
      `RSS ${mb(rssBefore)} MB before, ${mb(rssPeak)} MB at peak; partner cache ${JSON.stringify(t.services.partners.cacheSize)}\n`);
    flooding.socket.destroy();
    randomIds.socket.destroy();

    expect(flooding.written()).toBeGreaterThan(1_000);
    expect(polls.length).toBeGreaterThan(10);
    expect(polls.filter((p) => p.status !== 200)).toEqual([]);
    expect(sorted[sorted.length - 1]).toBeLessThan(1_000);
    expect(rssPeak - rssBefore).toBeLessThan(300 * 1024 * 1024);
    const cache = t.services.partners.cacheSize;
    expect(cache.unknown).toBeLessThanOrEqual(t.services.config.partnerNegativeCacheSize);
    expect(cache.known).toBeLessThanOrEqual(t.services.config.partnerCacheSize);
  });
});
