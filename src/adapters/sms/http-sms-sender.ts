import { AdapterError } from '../../lib/adapter-error';
import { SmsSender } from '../../core/challenge/sms-sender';
import { outgoingTraceHeaders } from '../../lib/trace';

/** Statuses after which the same message may be sent again: a timeout, too many, and 5xx. */
const RETRYABLE = new Set([408, 425, 429]);

/**
 * A generic SMS gateway over HTTPS (`SMS_GATEWAY_URL`, `SMS_GATEWAY_TOKEN`): POST {to, text, messageId} as JSON
 * with a bearer token, within 10 s. `messageId` is stable across retries, for gateways that drop duplicates. The
 * request carries the W3C `traceparent` (and `tracestate`) of the call, so a gateway that traces continues it. A
 * failure is an AdapterError: unreachable, timed out, 5xx, 408, 425, 429 → retryable; any other status → final.
 */
export class HttpSmsSender implements SmsSender {
  constructor(
    private readonly url: string,
    private readonly token: string | undefined,
    private readonly fetcher: typeof fetch = fetch,
    private readonly timeoutMs = 10_000,
  ) {}

  async send(message: { to: string; text: string; messageId: string }): Promise<void> {
    let response: Response;
    try {
      response = await this.fetcher(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...outgoingTraceHeaders() },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.arrayBuffer();
    } catch (err) {
      const timedOut = (err as Error)?.name === 'TimeoutError';
      throw new AdapterError(timedOut ? `SMS gateway did not answer within ${this.timeoutMs} ms` : 'SMS gateway could not be reached', { retryable: true, cause: err });
    }
    if (response.ok) return;
    const retryable = response.status >= 500 || RETRYABLE.has(response.status);
    throw new AdapterError(`SMS gateway answered HTTP ${response.status}`, { retryable, status: response.status });
  }
}
