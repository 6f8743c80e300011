import { SmsSender } from '../../core/challenge/sms-sender';
import { outgoingTraceHeaders } from '../../lib/trace';

/**
 * A generic SMS gateway over HTTPS: POST {to, text, messageId} as JSON with a bearer token. `messageId` is
 * stable across retries, for gateways that drop duplicates. The request carries the W3C `traceparent` (and
 * `tracestate`) of the call, so a gateway that traces continues the trace.
 */
export class HttpSmsSender implements SmsSender {
  constructor(private readonly url: string, private readonly token: string | undefined) {}

  async send(message: { to: string; text: string; messageId: string }): Promise<void> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...outgoingTraceHeaders() },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`SMS gateway answered HTTP ${response.status}`);
  }
}
