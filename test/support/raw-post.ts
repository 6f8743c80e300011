import { Agent, request } from 'node:http';
import { newRequestId } from './test-app';

/**
 * POSTs `{requestHeader, data}` to 127.0.0.1:`port` over `agent` (keep-alive in the shutdown tests); resolves with
 * the status, or the socket error's code when there was no answer (e.g. ECONNREFUSED once the server closed).
 */
export function rawPost(port: number, agent: Agent, path: string, data: unknown, epochMillis: number): Promise<number | string> {
  const body = JSON.stringify({
    requestHeader: { requestId: newRequestId(), requestTimestamp: { epochMillis: String(epochMillis) }, protocolVersion: { major: 1 } },
    data,
  });
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'ERROR'));
    req.end(body);
  });
}
