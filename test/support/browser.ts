import fs from 'node:fs';
import path from 'node:path';
import { Browser, BrowserContext, Page, chromium } from 'playwright-core';
import type { TestApp } from './test-app';

/** Debian's Chromium (never a downloaded browser): CHROMIUM_PATH, default /usr/bin/chromium. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** Where the browser tests leave their screenshots (git-ignored; the README's are committed under docs/screenshots). */
export const SCREENSHOT_DIR = path.resolve(__dirname, '..', '..', 'test-artifacts', 'screenshots');
export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 900 };

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** The test app's HTTP application on a loopback port (the server `npm start` makes), for the browser to reach. */
export async function listen(t: TestApp): Promise<{ origin: string; close(): Promise<void> }> {
  const { port, close } = await t.listen();
  return { origin: `http://127.0.0.1:${port}`, close };
}

/** A phone-sized page (360 px, touch) whose requests to the partner's return URL are answered by a stand-in page. */
export async function phonePage(browser: Browser, options: { returnOrigin?: string } = {}): Promise<{ context: BrowserContext; page: Page; returned: string[] }> {
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
  const returned: string[] = [];
  if (options.returnOrigin) {
    await context.route(`${options.returnOrigin}/**`, (route) => {
      returned.push(route.request().url());
      return route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><html lang="en"><title>Partner</title><main><h1>Back at the partner</h1></main></html>' });
    });
  }
  const page = await context.newPage();
  return { context, page, returned };
}

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; failureSummary?: string }>;
}

/** axe-core's WCAG 2.1 A/AA (and best-practice) violations on the page as it is now (evaluated over the DevTools protocol, so the page's CSP stays on). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
}

/** Checks the page as a person would meet it: no axe violation, no horizontal scroll at its width; saves a screenshot. */
export async function inspectPage(page: Page, name: string): Promise<{ violations: AxeViolation[]; horizontalScroll: boolean; screenshot: string }> {
  const violations = await axeViolations(page);
  const horizontalScroll = await page.evaluate<boolean>('document.documentElement.scrollWidth > document.documentElement.clientWidth');
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const width = page.viewportSize()?.width ?? 0;
  const screenshot = path.join(SCREENSHOT_DIR, `${name}-${width}.png`);
  await page.screenshot({ path: screenshot, fullPage: true });
  return { violations, horizontalScroll, screenshot };
}

/** Bytes over the wire for one page load (document, script, style), read from the DevTools protocol. */
export async function bytesOnLoad(page: Page, url: string): Promise<number> {
  const client = await page.context().newCDPSession(page);
  await client.send('Network.enable');
  let total = 0;
  client.on('Network.loadingFinished', (event: { encodedDataLength: number }) => (total += event.encodedDataLength));
  await page.goto(url, { waitUntil: 'networkidle' });
  await client.detach();
  return total;
}

/** Slows the page's network to a slow-3G profile (400 kbit/s down, 400 ms latency). */
export async function slow3g(page: Page): Promise<void> {
  const client = await page.context().newCDPSession(page);
  await client.send('Network.emulateNetworkConditions', { offline: false, latency: 400, downloadThroughput: (400 * 1024) / 8, uploadThroughput: (400 * 1024) / 8 });
}

export interface BrowserSuite<W> {
  world: W;
  browser: Browser;
  server: { origin: string; close(): Promise<void> };
}

/**
 * A browser test file's world: `start` brings up the server (a test app, or an OCEN harness), which listens on a
 * loopback port, and Chromium is launched; `ready` receives them once up (assign them to the file's variables).
 * All of it is stopped after the file's tests.
 */
export function browserSuite<W extends { stop(): Promise<void> }>(start: () => Promise<W>, appOf: (world: W) => TestApp, ready: (suite: BrowserSuite<W>) => void): void {
  let suite: Partial<BrowserSuite<W>> = {};
  beforeAll(async () => {
    const world = await start();
    suite = { world };
    suite.server = await listen(appOf(world));
    suite.browser = await launchChromium();
    ready(suite as BrowserSuite<W>);
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.close();
    await suite.world?.stop();
  });
}
