/**
 * pipelineGate (src/lib/http-server.ts): at most `max` pipelined requests of one connection are handled at once,
 * in order, and the connection is not read while more wait.
 */
import { EventEmitter } from 'node:events';
import { IncomingMessage, ServerResponse } from 'node:http';
import { pipelineGate } from '../../src/lib/http-server';

class FakeSocket extends EventEmitter {
  paused = false;
  destroyed = false;
  pause() {
    this.paused = true;
  }
  resume() {
    this.paused = false;
  }
}

describe('the per-connection cap on pipelined requests', () => {
  it('hands at most max requests of a connection to the app at once, in order, and pauses the connection while more wait', () => {
    const socket = new FakeSocket();
    const handling: Array<{ n: number; res: EventEmitter }> = [];
    const gate = pipelineGate((req, res) => handling.push({ n: (req as unknown as { n: number }).n, res: res as unknown as EventEmitter }), 3);
    const send = (n: number) => gate({ n, socket } as unknown as IncomingMessage, new EventEmitter() as unknown as ServerResponse);
    for (let n = 0; n < 10; n++) send(n);
    expect(handling.map((h) => h.n)).toEqual([0, 1, 2]);
    expect(socket.paused).toBe(true);
    handling[0].res.emit('finish');
    handling[0].res.emit('close');
    expect(handling.map((h) => h.n)).toEqual([0, 1, 2, 3]);
    for (let i = 1; i < 10; i++) handling[i].res.emit('finish');
    expect(handling.map((h) => h.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(socket.paused).toBe(false);
  });

  it('another connection is not held up by a full one', () => {
    const full = new FakeSocket();
    const other = new FakeSocket();
    const handled: string[] = [];
    const gate = pipelineGate((req) => handled.push((req as unknown as { id: string }).id), 1);
    gate({ id: 'full-1', socket: full } as unknown as IncomingMessage, new EventEmitter() as unknown as ServerResponse);
    gate({ id: 'full-2', socket: full } as unknown as IncomingMessage, new EventEmitter() as unknown as ServerResponse);
    gate({ id: 'other-1', socket: other } as unknown as IncomingMessage, new EventEmitter() as unknown as ServerResponse);
    expect(handled).toEqual(['full-1', 'other-1']);
    expect({ full: full.paused, other: other.paused }).toEqual({ full: true, other: false });
  });
});
