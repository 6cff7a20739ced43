import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Launches the system Chromium headless; never downloads a browser. Playwright's `launch` gives the
 * browser a fresh temporary profile (--user-data-dir) of its own and deletes it on close; the two
 * users get separate contexts (separate storage) in that one browser.
 */
export async function launchChromium() {
  // Keep Chromium's crash reports and caches out of $HOME.
  const scratch = mkdtempSync(join(tmpdir(), 'parley-chromium-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    env: { ...process.env, HOME: scratch, XDG_CONFIG_HOME: scratch, XDG_CACHE_HOME: scratch },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  browser.on('disconnected', () => rmSync(scratch, { recursive: true, force: true }));
  return browser;
}

/**
 * Opens the demo as one user in a new browser context and records everything that went wrong on the
 * page: console errors, uncaught exceptions, failed requests and HTTP error responses. With
 * PARLEY_REACT_DEBUG=ws it also logs every request and WebSocket frame.
 *
 * @returns {Promise<{user: string, page: import('playwright-core').Page, problems: string[], close: () => Promise<void>}>}
 */
export async function openAs(browser, appUrl, { baseURL, apiKey, user, name, log = console.log }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems = [];
  const note = (what) => {
    problems.push(what);
    log(`[${user}] ${what}`);
  };
  page.on('console', (m) => {
    if (m.type() === 'error') note(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => note(`uncaught: ${e.stack ?? e}`));
  page.on('requestfailed', (r) => note(`request failed: ${r.method()} ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => {
    if (r.status() >= 400) note(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  if (process.env.PARLEY_REACT_DEBUG === 'ws') {
    page.on('websocket', (ws) => {
      ws.on('framereceived', (f) => log(`[${user}] ws <- ${f.payload}`));
      ws.on('framesent', (f) => log(`[${user}] ws -> ${f.payload}`));
    });
    page.on('request', (r) => r.method() !== 'OPTIONS' && log(`[${user}] ${r.method()} ${r.url()} ${r.postData() ?? ''}`));
  }
  const query = new URLSearchParams({ baseURL, apiKey, user, ...(name ? { name } : {}) });
  await page.goto(`${appUrl}/?${query}`);
  return { user, page, problems, close: () => context.close() };
}
