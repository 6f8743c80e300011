import { isDeepStrictEqual } from 'node:util';
import type { PortName, Ports } from '../ports';

/** A failed expectation, with what was seen. */
export class KitFailure extends Error {}

/** A check that does not apply to this adapter, and why. */
export class Skip extends Error {}

/** How a port's checks call it (src/adapters/conformance/kit.ts). */
export interface KitCalls {
  /** Calls `fn` (a method of the port) as the server would: as an outside call, timed, bounded by the kit's timeout. */
  call<T>(method: string, fn: () => Promise<T> | T): Promise<T>;
  /**
   * Calls `fn` so that the service acts and its answer is lost: an HTTP answer is dropped after the service sent it
   * (the call must fail, retryable); an adapter that makes no HTTP call through the context has its answer discarded.
   */
  callLosingAnswer(method: string, fn: () => Promise<unknown>): Promise<string>;
  /** A reference of this run, unique (`KIT-<run>-<port>-<label>-<n>`). */
  ref(label: string): string;
}

/** One behaviour the core relies on: a named check that answers what it saw, or throws KitFailure (or Skip). */
export interface Behaviour<P extends PortName> {
  name: string;
  run(adapter: Ports[P], calls: KitCalls): Promise<string>;
}

/** The checks of one port, made afresh for each run (a behaviour may use what an earlier one saw). */
export interface PortSpec<P extends PortName> {
  behaviours: Array<Behaviour<P>>;
  /** The effectful call a fault is injected into, with a fresh reference each time; none for a pure port. */
  probeMethod?: string;
  probe?(adapter: Ports[P], ref: string): Promise<unknown>;
  /** Pure and local (the collector): not an outside call. */
  local?: boolean;
}

/** An answer in a line: JSON, amounts (bigint) as strings. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** An error in a few words: its name and message. */
export function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/** The same answer: deep equality (amounts as bigint included). */
export function same(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a, b);
}

/** Fails unless `condition` holds. */
export function expectThat(condition: boolean, failure: () => string): void {
  if (!condition) throw new KitFailure(failure());
}
