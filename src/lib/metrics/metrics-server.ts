import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/**
 * The metrics endpoint on its own HTTP server (`METRICS_PORT`), never on the partner port: `GET /metrics` in
 * the Prometheus text format; anything else is 404. Resolves once listening (port 0: a free port, see `port`).
 */
export class MetricsServer {
  private constructor(private readonly server: Server) {}

  static async start(registry: Registry, port: number, host?: string): Promise<MetricsServer> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: metrics are at GET /metrics\n');
        return;
      }
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
          res.end(req.method === 'HEAD' ? undefined : text);
        },
        (err: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics could not be collected: ${err instanceof Error ? err.message : String(err)}\n`);
        },
      );
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new MetricsServer(server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
