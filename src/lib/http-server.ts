import { IncomingMessage, RequestListener, Server, ServerResponse, createServer } from 'node:http';
import { Socket } from 'node:net';
import type { Config } from './config';

export type HttpSettings = Config['http'];

/**
 * The HTTP server of the API, made here for every entry point (src/main.ts) and for the tests, so they run
 * under the same bounds (HTTP_* in the Configuration):
 * - a request's headers must arrive within `headersTimeoutMs` and the whole request within `requestTimeoutMs`
 *   (else 408 and the connection closed), instead of Node's 60 s and 300 s;
 * - at most `maxConnections` connections are open at once; more are closed as they arrive;
 * - at most `maxInFlightPerSocket` requests of one connection are handled at once (`pipelineGate`).
 */
export function createHttpServer(app: RequestListener, settings: HttpSettings): Server {
  const server = createServer(
    {
      headersTimeout: settings.headersTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      // Node enforces both timeouts by checking every connection on this period (30 s by default, which would
      // let a 10 s bound run to 40 s).
      connectionsCheckingInterval: Math.min(1_000, settings.headersTimeoutMs / 2),
    },
    pipelineGate(app, settings.maxInFlightPerSocket),
  );
  server.maxConnections = settings.maxConnections;
  return server;
}

interface SocketState {
  active: number;
  waiting: Array<[IncomingMessage, ServerResponse]>;
  paused: boolean;
}

/**
 * Node answers pipelined requests in order but hands them all to the application at once, however many a
 * client sends on one connection without reading: 20,000 of them were 20,000 requests in flight. Here at most
 * `max` requests of a connection are being handled; the next ones wait in order, and the connection is not read
 * (TCP pushes back on the client) until one is answered. What waits is at most what one read of the socket
 * held; a client that does not read its answers stops being read once its answers fill the socket.
 */
export function pipelineGate(app: RequestListener, max: number): RequestListener {
  const states = new WeakMap<Socket, SocketState>();
  const run = (req: IncomingMessage, res: ServerResponse, socket: Socket, state: SocketState) => {
    state.active++;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      state.active--;
      // A closed connection's waiting requests are never handled (no one would read their answers).
      if (socket.destroyed) state.waiting.length = 0;
      const next = state.waiting.shift();
      if (state.waiting.length === 0 && state.paused) {
        state.paused = false;
        if (!socket.destroyed) socket.resume();
      }
      if (next) run(next[0], next[1], socket, state);
    };
    res.once('finish', settle);
    res.once('close', settle);
    app(req, res);
  };
  return (req, res) => {
    const socket = req.socket;
    let state = states.get(socket);
    if (!state) states.set(socket, (state = { active: 0, waiting: [], paused: false }));
    if (state.active < max) return run(req, res, socket, state);
    state.waiting.push([req, res]);
    if (!state.paused) {
      state.paused = true;
      socket.pause();
    }
  };
}
