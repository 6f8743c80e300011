import { annotateSpan, inSpan, outgoingTraceHeaders } from '../../lib/trace';

/**
 * One delivery attempt of a callback to a partner: POSTed with the surface's own headers (signature, token,
 * content type; made inside the span, so a token fetched for it is part of the attempt) plus the job's
 * `traceparent`, as a client span of the job's trace; redirects are not followed, and the attempt is abandoned
 * after `timeoutMs`.
 */
export function postCallback(url: string, operation: string, request: { headers: () => Promise<Record<string, string>> | Record<string, string>; body: Buffer | string; timeoutMs: number }): Promise<Response> {
  return inSpan(`POST ${operation}`, 'client', { 'http.request.method': 'POST', 'server.address': new URL(url).hostname, 'credit_partner.callback': operation }, async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { ...(await request.headers()), ...outgoingTraceHeaders() },
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    annotateSpan({ 'http.response.status_code': response.status });
    return response;
  });
}
