/**
 * Debian's Chromium, driven by playwright-core, for the dashboard's browser tests. Missing
 * Chromium skips those tests with a message, except under CI=true, where it fails them.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumMissing = !existsSync(CHROMIUM);
if (chromiumMissing) {
  const message = `dashboard browser tests need Chromium at ${CHROMIUM} (apt-get install -y chromium)`;
  if (process.env.CI === 'true') throw new Error(message);
  console.warn(`skipped: ${message}`);
}

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Playwright gives every launch a fresh, throwaway user-data-dir. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

/** A browser context of its own (cookies included) with a page that records CSP violations. */
export async function openPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; cspViolations: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) cspViolations.push(message.text());
  });
  return { context, page, cspViolations };
}

export async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.waitForURL(`${baseUrl}/sign-in`);
  await page.getByLabel('Operator token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Fleet' }).waitFor();
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's violations of serious or critical impact on the page as it is now. */
export async function seriousA11yViolations(page: Page): Promise<{ id: string; impact: string; nodes: string[] }[]> {
  // Evaluated through DevTools, which the page's CSP (no inline script) does not govern.
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run();
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
}

/** Screenshots the README and docs/dashboard.md show. */
export const SCREENSHOTS = new URL('../docs/screenshots/', import.meta.url);

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, SCREENSHOTS).pathname, fullPage: false });
}

/** Every page the tests visit is screenshot and checked the same way: returns its serious or critical axe-core violations. */
export async function screenshotAndAudit(page: Page, name: string): Promise<{ id: string; impact: string; nodes: string[] }[]> {
  await screenshot(page, name);
  return seriousA11yViolations(page);
}

/** Waits until the element's text is exactly `text` (the page polls the API every 2 s). */
export async function waitForText(page: Page, testId: string, text: string, timeout = 15_000): Promise<void> {
  await page.waitForFunction(([id, want]) => document.querySelector(`[data-testid="${id}"]`)?.textContent === want, [testId, text] as const, { timeout });
}

/** The page's own clock (ms since its navigation began) on the first frame where every selector matches, with exactly its text where one is given. */
export async function shownAt(page: Page, ...wanted: [selector: string, text?: string][]): Promise<number> {
  const handle = await page.waitForFunction(
    (pairs) =>
      pairs.every(([css, want]) => {
        const element = document.querySelector(css);
        return element !== null && (want === undefined || element.textContent === want);
      }) && performance.now(),
    wanted,
    { timeout: 30_000, polling: 'raf' },
  );
  return (await handle.jsonValue()) as number;
}
