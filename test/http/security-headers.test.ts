import express from 'express';
import request from 'supertest';
import { TestApp, startTestApp } from '../support/test-app';
import { PATHS, newApplicationId } from '../support/journey';
import { securityHeaders } from '../../src/protocols/shared/security-headers';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

function expectBaseHeaders(res: request.Response) {
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(res.headers['x-powered-by']).toBeUndefined();
}

describe('security headers', () => {
  it('when the partner API answers, with data or with an error, then it is nosniff, never framed and never cached', async () => {
    const missing = await t.call(PATHS.getStatus, { googleApplicationId: newApplicationId() });
    expect(missing.status).toBe(404);
    const malformed = await t.http().post(PATHS.getStatus).set('content-type', 'text/plain').send('hello');
    expect(malformed.status).toBe(415);
    for (const res of [missing, malformed]) {
      expectBaseHeaders(res);
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it('when a sandbox answer carries an SMS text, then it is never cached either', async () => {
    const res = await t.http().get('/sandbox/sms-outbox?phone=919876543210');
    expect(res.status).toBe(200);
    expectBaseHeaders(res);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('when the Swagger UI page is served, then its CSP allows only this origin\'s scripts and forbids framing', async () => {
    const res = await t.http().get('/docs/');
    expect(res.status).toBe(200);
    expectBaseHeaders(res);
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(res.text).not.toMatch(/<script>(?!\s*<\/script>)/);
  });

  it('sends HSTS in production only', async () => {
    const app = (production: boolean) => express().use(securityHeaders({ production })).get('/', (_req, res) => res.json({}));
    expect((await request(app(true)).get('/')).headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect((await request(app(false)).get('/')).headers['strict-transport-security']).toBeUndefined();
  });

  it('when DOCS_ENABLED is false, then /docs does not exist while the OpenAPI document is still served', async () => {
    const quiet = await startTestApp({ worker: false, env: { DOCS_ENABLED: 'false' } });
    try {
      expect((await quiet.http().get('/docs/')).status).toBe(404);
      expect((await quiet.http().get('/openapi.json')).status).toBe(200);
    } finally {
      await quiet.stop();
    }
  });
});
