import { accessSync, constants } from 'node:fs';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';

/** Where Debian's package puts Chromium; `GUMSHOE_CHROMIUM` points elsewhere. */
export const CHROMIUM_PATH = process.env.GUMSHOE_CHROMIUM ?? '/usr/bin/chromium';

/** The error a browser test fails with when Chromium is missing: it names the script that installs it. */
export class ChromiumMissingError extends Error {
  constructor(path: string, options?: ErrorOptions) {
    super(
      `Chromium not found at ${path}. The browser tests drive Debian's Chromium: run \`bash scripts/install-browser.sh\` (apt-get install chromium), or set GUMSHOE_CHROMIUM to its path.`,
      options,
    );
    this.name = 'ChromiumMissingError';
  }
}

/** Throws {@link ChromiumMissingError} unless an executable Chromium is at `path`. */
export function assertChromium(path: string = CHROMIUM_PATH): void {
  try {
    accessSync(path, constants.X_OK);
  } catch (error) {
    throw new ChromiumMissingError(path, { cause: error });
  }
}

/** Headless Debian Chromium, lean on a shared 2-core machine. */
export async function launchChromium(path: string = CHROMIUM_PATH): Promise<Browser> {
  assertChromium(path);
  return chromium.launch({
    executablePath: path,
    headless: true,
    args: ['--disable-gpu', '--disable-dev-shm-usage', '--disable-extensions', '--no-first-run'],
  });
}

/**
 * A browser context that reaches only loopback: a url button opens its link in a new tab, as Slack
 * does, and the test answers that tab itself so nothing leaves the machine.
 */
export async function loopbackContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  await context.route(
    (url) => url.hostname !== '127.0.0.1',
    (route) =>
      route.fulfill({ status: 200, contentType: 'text/plain', body: 'outside link (not fetched in tests)' }),
  );
  return context;
}
