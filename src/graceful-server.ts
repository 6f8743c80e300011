import { Server } from 'node:http';

/**
 * Stops an HTTP server without failing what it is doing: new connections are refused, idle keep-alive
 * connections are closed, requests already received are answered (with `Connection: close`), and only when the
 * grace period ends are the remaining connections cut. Resolves when no connection is left.
 */
export class GracefulServer {
  private closing = false;

  constructor(readonly server: Server) {
    server.on('request', (_req, res) => {
      if (this.closing && !res.headersSent) res.setHeader('Connection', 'close');
    });
  }

  get isClosing(): boolean {
    return this.closing;
  }

  async close(graceMs: number): Promise<{ forced: boolean }> {
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    let forced = false;
    const deadline = setTimeout(() => {
      forced = true;
      this.server.closeAllConnections();
    }, graceMs);
    await closed;
    clearTimeout(deadline);
    return { forced };
  }
}
