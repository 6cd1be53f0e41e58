import { accessSync, constants } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Where browser tests write screenshots (gitignored). */
export const artifactsDir = fileURLToPath(new URL('../../artifacts/', import.meta.url));

export const NO_BROWSER_MESSAGE =
  'No Chromium to run the browser tests: install Debian\'s package ("apt-get install -y chromium", as .ci/run does) ' +
  'or set CHROME_PATH to a Chrome or Chromium executable.';

/** Names the browser goes by on PATH. */
const BROWSER_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** The browser to drive: `CHROME_PATH`, else the first Chromium on PATH. Throws, saying how to get one, when there is none. */
export function chromePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CHROME_PATH) {
    if (!isExecutable(env.CHROME_PATH)) throw new Error(`CHROME_PATH is not an executable file: ${env.CHROME_PATH}. ${NO_BROWSER_MESSAGE}`);
    return env.CHROME_PATH;
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of BROWSER_NAMES) {
      const candidate = join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  throw new Error(NO_BROWSER_MESSAGE);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Flags that let Chromium run headless in a container and keep it off the network except for the page. */
const CHROMIUM_ARGS = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** How long one wait on the page (a locator, a navigation) may take before it fails. */
const PAGE_WAIT_MS = 90_000;

export interface BrowserFixture {
  readonly context: BrowserContext;
  /** A fresh page whose console errors and uncaught exceptions are collected in `errors`. */
  newPage(): Promise<{ page: Page; errors: string[] }>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A headless Chromium with a fresh profile. Dispose it to close the browser and delete the profile. */
export async function launchBrowser(): Promise<BrowserFixture> {
  const executablePath = chromePath();
  const profile = await mkdtemp(join(tmpdir(), 'scomp-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      chromiumSandbox: false,
      args: CHROMIUM_ARGS,
      viewport: { width: 1440, height: 900 },
      acceptDownloads: true,
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  // A liveness bound for each wait on the page, below the test's own, so a stuck step names what it waited for.
  context.setDefaultTimeout(PAGE_WAIT_MS);
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(`${error.name}: ${error.message}`));
      return { page, errors };
    },
    async [Symbol.asyncDispose]() {
      try {
        await context.close();
      } finally {
        await rm(profile, { recursive: true, force: true });
      }
    },
  };
}

/** Saves a screenshot of the page as `artifacts/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(artifactsDir, { recursive: true });
  const path = join(artifactsDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
