import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Env } from '../../src/config/app-config.js';
import type { TestUser } from '../factories/factory.js';
import { PASSWORD } from '../factories/factory.js';
import { startTestApp, type TestApp } from './test-app.js';

/** Debian's Chromium (`apt-get install -y chromium`); never a browser a tool downloads. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = join('test-artifacts', 'screenshots');

export interface BrowserApp extends TestApp {
  /** http://127.0.0.1:<port> of the app listening for real (the browser needs a socket). */
  baseUrl: string;
  browser: Browser;
}

/**
 * The real app on a loopback port (serving the built web app from dist/web, so run `npm run
 * build` first; `npm test` does) and a headless Chromium.
 */
export async function startBrowserApp(overrides: Partial<Record<keyof Env, string>> = {}): Promise<BrowserApp> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`);
  if (!existsSync(join('dist', 'web', 'index.html'))) throw new Error('The web app is not built: run `npm run build` first');
  const t = await startTestApp({ REDIS_URL: '', ...overrides });
  await t.app.listen(0, '127.0.0.1');
  const port = (t.http.address() as AddressInfo).port;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-default-apps', '--disable-extensions'],
  });
  const close = t.close.bind(t);
  return {
    ...t,
    baseUrl: `http://127.0.0.1:${port}`,
    browser,
    async close() {
      await browser.close();
      await close();
    },
  };
}

/** A fresh browser profile (its own cookies), desktop or phone-sized. */
export async function newContext(b: BrowserApp, opts: { mobile?: boolean } = {}): Promise<BrowserContext> {
  const context = await b.browser.newContext({
    baseURL: b.baseUrl,
    viewport: opts.mobile ? { width: 375, height: 740 } : { width: 1280, height: 900 },
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(10_000);
  // Nothing may leave the machine: any request not to our server fails.
  await context.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());
  return context;
}

/** Signs in through the sign-in page, as a person would; resolves once the signed-in frame shows. */
export async function signIn(context: BrowserContext, user: Pick<TestUser, 'orgSlug' | 'email'>, password = PASSWORD): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`/?org=${encodeURIComponent(user.orgSlug)}`);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  // The signed-in header (the navigation folds behind a menu button on narrow screens).
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return page;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; html: string }>;
}

let axeSource: string | null = null;

/** axe-core's violations on the page as it is now, serious and critical only. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // Through the DevTools protocol, so the page's Content-Security-Policy (no inline scripts) stays on.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, html: n.html })) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
