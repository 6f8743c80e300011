/**
 * An oversized body is refused at once, not read to its end: a declared Content-Length over the surface's limit
 * before any of the body is read, a chunked body as soon as it passes the limit; 413 with Connection: close, and
 * the connection closed. On every surface that reads a body: the Google Pay-style API, the sandbox, OCEN, and the
 * borrower pages (their forms, and an upload over its 5 MB). Raw sockets on loopback, each case bounded to 3 s.
 */
import { connect } from 'node:net';
import { TestApp, startTestApp } from '../support/test-app';
import { PATHS, applyAndDecide } from '../support/journey';

jest.setTimeout(120_000);

let t: TestApp;
let listening: Awaited<ReturnType<TestApp['listen']>>;
let kycCookie: string;
beforeAll(async () => {
  t = await startTestApp({ worker: true });
  listening = await t.listen();
  const { gid, offerId } = await applyAndDecide(t);
  await t.call(PATHS.initiateKyc, { googleApplicationId: gid, offerId }).expect(200);
  const token = await t.call(PATHS.getAuthToken, { googleApplicationId: gid, authTokenContext: { type: 'KYC' } }).expect(200);
  const session = await t.http().post('/borrower/session').type('form').send({ step: 'KYC', authToken: token.body.data.authToken }).expect(303);
  kycCookie = ([] as string[]).concat(session.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('cp_borrower='))!.split(';')[0];
});
afterAll(async () => {
  await listening?.close();
  await t?.stop();
});

type Shape = '50 MB declared and sent' | 'over the limit declared (400 KiB; 6 MiB for the upload), nothing sent' | 'chunked, endless';
interface Outcome {
  status: number | undefined;
  /** From the first byte sent to the status line of the answer. */
  ms: number;
  connectionClose: boolean;
  /** The server closed the connection within 2 s of its answer. */
  closed: boolean;
  bytesSent: number;
}

const CHUNK = Buffer.alloc(64 * 1024, 'a');
const BOUNDARY = 'probe-boundary';

/** Sends `shape` to `path` and watches for the answer (3 s at most) and the connection's end (2 s more). */
function oversized(path: string, shape: Shape, headers: Record<string, string> = {}, preamble = '', declaredOver = 400 * 1024): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(listening.port, '127.0.0.1');
    const started = Date.now();
    let answered: number | undefined;
    let head = '';
    let bytesSent = 0;
    let stop = false;
    let closedAt: number | undefined;
    const finish = () => {
      stop = true;
      clearTimeout(cap);
      socket.destroy();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
      resolve({
        status: status ? Number(status) : undefined,
        ms: answered === undefined ? Infinity : answered - started,
        connectionClose: /\r\nconnection: close\r\n/i.test(head.split('\r\n\r\n')[0] + '\r\n'),
        closed: closedAt !== undefined && answered !== undefined && closedAt - answered < 2_000,
        bytesSent,
      });
    };
    const cap = setTimeout(finish, answered === undefined ? 3_000 : 5_000);
    socket.on('data', (data: Buffer) => {
      if (head.length < 4096) head += data.toString('latin1');
      if (answered === undefined && head.startsWith('HTTP/1.1 ')) {
        answered = Date.now();
        setTimeout(finish, 2_000);
      }
    });
    const ended = () => {
      if (closedAt === undefined) closedAt = Date.now();
      if (answered !== undefined) finish();
    };
    socket.on('end', ended);
    socket.on('close', ended);
    socket.on('error', ended);
    const declared = shape === '50 MB declared and sent' ? 50 * 1024 * 1024 : shape === 'over the limit declared (400 KiB; 6 MiB for the upload), nothing sent' ? declaredOver : undefined;
    const lines = [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    lines.push(declared === undefined ? 'Transfer-Encoding: chunked' : `Content-Length: ${declared}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (shape === 'over the limit declared (400 KiB; 6 MiB for the upload), nothing sent') return;
    const chunked = declared === undefined;
    const first = Buffer.from(preamble);
    const frame = (data: Buffer) => (chunked ? Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')]) : data);
    const pump = () => {
      while (!stop && answered === undefined && !socket.destroyed && (declared === undefined || bytesSent < declared)) {
        const data = bytesSent === 0 && first.length ? first : CHUNK.subarray(0, declared === undefined ? CHUNK.length : Math.min(CHUNK.length, declared - bytesSent));
        bytesSent += data.length;
        if (!socket.write(frame(data))) return void socket.once('drain', pump);
      }
    };
    pump();
  });
}

const json = { 'Content-Type': 'application/json' };
const SHAPES: Shape[] = ['50 MB declared and sent', 'over the limit declared (400 KiB; 6 MiB for the upload), nothing sent', 'chunked, endless'];
const SURFACES: Array<[string, () => { path: string; headers: Record<string, string>; preamble?: string; declaredOver?: number }]> = [
  ['Google Pay-style API', () => ({ path: PATHS.getStatus, headers: json })],
  ['sandbox', () => ({ path: '/sandbox/applications/x/kyc/complete', headers: json })],
  ['OCEN', () => ({ path: '/v4.0.0alpha/loanDetails/getloanRequest', headers: json })],
  ['OCEN v3', () => ({ path: '/v3/loan/getLoanRequest', headers: json })],
  ['borrower page form', () => ({ path: '/borrower/session', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })],
  ['borrower page upload (limit 5 MB)', () => ({
    path: '/borrower/kyc/document',
    headers: { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, Cookie: kycCookie },
    declaredOver: 6 * 1024 * 1024,
    preamble: `--${BOUNDARY}\r\nContent-Disposition: form-data; name="document"; filename="huge.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n`,
  })],
];

const measured: string[] = [];
afterAll(() => process.stdout.write(`time to 413:\n${measured.join('\n')}\n`));

describe('an oversized body', () => {
  describe.each(SURFACES)('on the %s', (_surface, target) => {
    it.each(SHAPES)('%s: 413 in under a second with Connection: close, and the connection closed', async (shape) => {
      const { path, headers, preamble, declaredOver } = target();
      const outcome = await oversized(path, shape, headers, preamble, declaredOver);
      measured.push(`${_surface}, ${shape}: ${outcome.ms} ms, ${(outcome.bytesSent / 1024 / 1024).toFixed(1)} MiB sent before the answer`);
      // Not read to its end: the client could send little more than what the sockets' buffers hold before the answer.
      const notReadThrough = outcome.bytesSent < 16 * 1024 * 1024;
      expect({ ...outcome, ms: outcome.ms < 1_000, bytesSent: notReadThrough }).toEqual({ status: 413, ms: true, connectionClose: true, closed: true, bytesSent: true });
    });
  });

  it('a body within the limit is still read and answered on a kept-alive connection', async () => {
    const res = await t.call(PATHS.getStatus, { applicationId: 'GAPP-none' });
    expect(res.status).not.toBe(413);
  });

  it('an upload one byte over its 5 MB, in a request within the limit, is refused 413 with Connection: close and nothing kept', async () => {
    const documentsBefore = await t.services.db.prisma.kycDocument.count();
    const res = await t.http().post('/borrower/kyc/document').set('Cookie', kycCookie).attach('document', Buffer.alloc(5 * 1024 * 1024 + 1, 1), { filename: 'id.pdf', contentType: 'application/pdf' });
    expect({ status: res.status, connection: res.headers.connection }).toEqual({ status: 413, connection: 'close' });
    expect(await t.services.db.prisma.kycDocument.count()).toBe(documentsBefore);
  });

  it('an upload within its 5 MB is still read (the borrower page answers it, not 413)', async () => {
    const res = await t.http().post('/borrower/kyc/document').set('Cookie', kycCookie).attach('document', Buffer.alloc(1024 * 1024, 1), { filename: 'id.pdf', contentType: 'application/pdf' });
    expect(res.status).not.toBe(413);
    expect(res.status).toBeLessThan(500);
  });
});

describe('the HTTP server bounds', () => {
  it('are explicit: headers 10 s, the whole request 30 s (not Node\'s 60 s and 300 s), at most 1,000 connections', () => {
    expect({ headers: listening.server.headersTimeout, request: listening.server.requestTimeout, connections: listening.server.maxConnections })
      .toEqual({ headers: 10_000, request: 30_000, connections: 1_000 });
  });
});
