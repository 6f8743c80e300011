import { z } from 'zod';

export interface JobContext {
  /** The outbox message id; stable across redeliveries, so outside calls can use it as an idempotency reference. */
  messageId: string;
  attempt: number;
}

/**
 * One background job, defined in one file: its name, payload version and schema, and its handler.
 * Handlers must be idempotent: the queue delivers at least once.
 */
export interface JobDefinition<P, D> {
  name: string;
  /** Bumped when the payload changes shape; a message of another version is refused, never guessed at. */
  version: number;
  schema: z.ZodType<P>;
  /**
   * true: the worker runs the handler in one transaction together with the message's processed mark, so a
   * redelivery does nothing. Such a handler must not call the outside world. false: the handler calls the
   * outside world and is idempotent by the state it checks; it opens its own transactions.
   */
  transactional: boolean;
  handle(deps: D, payload: P, context: JobContext): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyJobDefinition = JobDefinition<any, any>;

export type PayloadOf<J> = J extends JobDefinition<infer P, unknown> ? P : never;

export function defineJob<P, D>(definition: JobDefinition<P, D>): JobDefinition<P, D> {
  return definition;
}

/**
 * How a job travels in the outbox and the queue. `traceId` is the W3C trace id of the work that staged it (a
 * UUID in messages of earlier releases); in the queue, the relay adds that work's `traceparent` and `tracestate`
 * (kept in the outbox row's own columns), which the worker continues.
 */
export interface JobEnvelope {
  v: number;
  traceId?: string;
  traceparent?: string;
  tracestate?: string;
  data: unknown;
}
