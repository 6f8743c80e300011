import { TestApp, startTestApp } from '../support/test-app';
import { PATHS, applyAndDecide } from '../support/journey';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

/** An approved application with its KYC journey open, and a fresh KYC auth token for it. */
async function kycToken(returnUrl?: string): Promise<{ gid: string; authToken: string }> {
  const { gid, offerId } = await applyAndDecide(t);
  if (!offerId) throw new Error('not approved');
  await t.call(PATHS.initiateKyc, { googleApplicationId: gid, offerId }).expect(200);
  const res = await t.call(PATHS.getAuthToken, { googleApplicationId: gid, authTokenContext: { type: 'KYC' }, ...(returnUrl ? { redirectionUrl: returnUrl } : {}) });
  expect(res.status).toBe(200);
  return { gid, authToken: res.body.data.authToken };
}

const exchange = (fields: Record<string, string>) => t.http().post('/borrower/session').type('form').send(fields);
const cookieOf = (res: { headers: Record<string, unknown> }) => ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []).find((c) => c.startsWith('cp_borrower='))?.split(';')[0];

describe('borrower page sessions', () => {
  it('when the page exchanges a fresh auth token, then it gets an HttpOnly session cookie for that step and the step page opens with it', async () => {
    const { authToken } = await kycToken();
    const res = await exchange({ step: 'KYC', authToken });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/borrower/kyc');
    const setCookie = ([] as string[]).concat(res.headers['set-cookie'] as unknown as string[]).join('\n');
    expect(setCookie).toMatch(/cp_borrower=[^;]+;.*HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Path=\/borrower/);
    const page = await t.http().get('/borrower/kyc').set('Cookie', cookieOf(res)!);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).not.toContain('open-missing');
  });

  it('when the same token is exchanged a second time, then a 410 page says the link was used and no second session is made', async () => {
    const { authToken } = await kycToken();
    await exchange({ step: 'KYC', authToken }).expect(303);
    const again = await exchange({ step: 'KYC', authToken });
    expect(again.status).toBe(410);
    expect(again.headers['content-type']).toMatch(/text\/html/);
    expect(again.text).toContain('This link was already used');
    expect(cookieOf(again)).toBeUndefined();
    expect(await t.services.db.prisma.borrowerPageSession.count({ where: {} })).toBeGreaterThan(0);
  });

  it('when the token has expired, then a 410 page says so and nothing is recorded', async () => {
    const { authToken } = await kycToken();
    const before = await t.services.db.prisma.borrowerTokenUse.count();
    t.clock.advance(11 * 60_000);
    try {
      const res = await exchange({ step: 'KYC', authToken });
      expect(res.status).toBe(410);
      expect(res.text).toContain('This link has expired');
    } finally {
      t.clock.advance(-11 * 60_000);
    }
    expect(await t.services.db.prisma.borrowerTokenUse.count()).toBe(before);
  });

  it('when the token is not ours or is for another step, then a 401 page says the link is not valid', async () => {
    const { authToken } = await kycToken();
    const forged = await exchange({ step: 'KYC', authToken: `${authToken.slice(0, -4)}AAAA` });
    expect(forged.status).toBe(401);
    expect(forged.text).toContain('This link is not valid');
    const otherStep = await exchange({ step: 'REPAYMENT_SETUP', authToken });
    expect(otherStep.status).toBe(401);
    const none = await exchange({ step: 'KYC' });
    expect(none.status).toBe(401);
    // The token was refused each time, so it still opens its own step once.
    await exchange({ step: 'KYC', authToken }).expect(303);
  });

  it('when another site posts the exchange, then it is refused with 403 and the token stays unused', async () => {
    const { authToken } = await kycToken();
    const res = await exchange({ step: 'KYC', authToken }).set('Origin', 'https://evil.example').set('Sec-Fetch-Site', 'cross-site');
    expect(res.status).toBe(403);
    await exchange({ step: 'KYC', authToken }).expect(303);
  });

  it('when a step page is opened without a session, then it is the opening page that reads the fragment, in the chosen language', async () => {
    const res = await t.http().get('/borrower/repayment-setup?lang=hi');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<html lang="hi">');
    expect(res.text).toContain('id="open-form"');
    expect(res.text).toContain('data-required="true"');
    expect(res.text).toContain('<script src="/borrower/assets/borrower.js" defer></script>');
  });

  it('then every page has a strict CSP (no inline script or style), no referrer and no caching', async () => {
    const res = await t.http().get('/borrower/kyc');
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).not.toMatch(/<script>|<style|style=/);
  });

  it('when the token names a return URL, then the step page lets its forms lead back to that origin', async () => {
    const { authToken } = await kycToken('https://partner.example/back?x=1');
    const opened = await exchange({ step: 'KYC', authToken }).expect(303);
    const page = await t.http().get('/borrower/kyc').set('Cookie', cookieOf(opened)!);
    expect(page.headers['content-security-policy']).toContain("form-action 'self' https://partner.example");
  });

  it('when a page does not exist, then the answer is a 404 page, not JSON', async () => {
    const res = await t.http().get('/borrower/nowhere');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('Page not found');
  });

  it('then the assets are served from the project folder', async () => {
    const js = await t.http().get('/borrower/assets/borrower.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    const css = await t.http().get('/borrower/assets/borrower.css');
    expect(css.status).toBe(200);
  });
});
