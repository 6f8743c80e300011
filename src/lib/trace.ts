import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * One trace id follows a request from the API into the worker: it is set per request, stored with every
 * outbox message staged on that path, and restored when the worker runs the job, so every log line of
 * one loan step carries the same `traceId`.
 */
const traceContext = new AsyncLocalStorage<{ traceId: string }>();

export const newTraceId = () => randomUUID();

export function currentTraceId(): string | undefined {
  return traceContext.getStore()?.traceId;
}

export function withTrace<T>(traceId: string, fn: () => T): T {
  return traceContext.run({ traceId }, fn);
}
