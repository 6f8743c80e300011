import { AddressInfo, Server, Socket, createConnection, createServer } from 'node:net';

export type ProxyMode = 'open' | 'refuse' | 'blackhole';

interface Link {
  client: Socket;
  /** None for a connection accepted while blackholed: nothing would ever be forwarded. */
  upstream?: Socket;
  faulted: boolean;
}

/**
 * A TCP proxy on 127.0.0.1 in front of one service (PostgreSQL, Redis), for outage tests: the test points the
 * server at `port` and then cuts the service off at the socket level, without touching the service itself
 * (other test files share it).
 *
 * - `open`: bytes flow both ways.
 * - `refuse`: every open connection is reset, and each new one is reset as soon as it is accepted (the service is down).
 * - `blackhole`: open connections stop carrying bytes and new ones are accepted but never answered (packets dropped
 *   on the way: no error, only silence).
 *
 * `restore()` goes back to `open`; connections that lived through a fault are reset then, as a restarted service would.
 */
export class TcpProxy {
  private mode: ProxyMode = 'open';
  private readonly links = new Set<Link>();

  private constructor(private readonly server: Server, private readonly target: { host: string; port: number }) {
    server.on('connection', (client) => this.accept(client));
  }

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const server = createServer({ pauseOnConnect: true });
    const proxy = new TcpProxy(server, target);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** A proxy in front of the service a URL names (postgresql://…, redis://…). */
  static forUrl(url: string, defaultPort: number): Promise<TcpProxy> {
    const parsed = new URL(url);
    return TcpProxy.start({ host: parsed.hostname, port: Number(parsed.port || defaultPort) });
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** `url` with its host and port replaced by this proxy's. */
  route(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  get connections(): number {
    return this.links.size;
  }

  refuse(): void {
    this.mode = 'refuse';
    for (const link of [...this.links]) this.drop(link);
  }

  blackhole(): void {
    this.mode = 'blackhole';
    for (const link of this.links) this.silence(link);
  }

  restore(): void {
    this.mode = 'open';
    for (const link of [...this.links]) if (link.faulted) this.drop(link);
  }

  async close(): Promise<void> {
    for (const link of [...this.links]) this.drop(link);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined);
    if (this.mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    if (this.mode === 'blackhole') {
      const link: Link = { client, faulted: true };
      this.links.add(link);
      client.on('close', () => this.links.delete(link));
      this.silence(link);
      return;
    }
    const upstream = createConnection(this.target);
    upstream.on('error', () => undefined);
    const link: Link = { client, upstream, faulted: false };
    this.links.add(link);
    const forget = () => {
      this.links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', forget);
    upstream.on('close', forget);
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }

  /** Stops both directions; what arrives from then on is read and dropped, so neither side sees an error. */
  private silence(link: Link): void {
    link.faulted = true;
    if (link.upstream) {
      link.client.unpipe(link.upstream);
      link.upstream.unpipe(link.client);
    }
    for (const socket of [link.client, link.upstream]) {
      if (!socket) continue;
      socket.removeAllListeners('data');
      socket.on('data', () => undefined);
      socket.resume();
    }
  }

  private drop(link: Link): void {
    this.links.delete(link);
    if (!link.client.destroyed) link.client.resetAndDestroy();
    link.upstream?.destroy();
  }
}
