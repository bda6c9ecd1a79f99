/**
 * Debian's Chromium driven by playwright-core, for the lineage browser tests. Chromium is
 * required: CI installs it (.ci/run); when it is missing the tests fail with this message
 * rather than skip.
 */
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A browser with a fresh profile in `profileDir`. */
export async function launchChromium(profileDir: string): Promise<BrowserContext> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the lineage browser tests need Debian's Chromium (apt-get install -y chromium; .ci/run installs it)`,
    );
  }
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1600, height: 900 },
  });
}

/**
 * Launches in a `beforeAll` without throwing there (vitest would report the tests as skipped);
 * `get()` in each test rethrows the launch error, so every test fails with it.
 */
export function lazyBrowser(): { launch(profileDir: string): Promise<void>; get(): BrowserContext; close(): Promise<void> } {
  let context: BrowserContext | undefined;
  let failure: unknown;
  return {
    async launch(profileDir) {
      try {
        context = await launchChromium(profileDir);
      } catch (e) {
        failure = e;
      }
    },
    get() {
      if (!context) throw failure instanceof Error ? failure : new Error(String(failure));
      return context;
    },
    async close() {
      await context?.close();
    },
  };
}

/**
 * Records what must not happen on a page into `problems`: console errors, uncaught exceptions,
 * dialogs (a script injected through catalog text would open one), and requests for any URL
 * that does not start with `allowed` (the page must need no network).
 */
export function watchPage(page: Page, allowed: string, problems: string[]): void {
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("dialog", (d) => {
    problems.push(`dialog opened: ${d.message()}`);
    void d.dismiss();
  });
  page.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith(allowed) && !url.startsWith("data:") && url !== "about:blank") problems.push(`request outside ${allowed}: ${url}`);
  });
}

/** The URL of a folder, for `watchPage`. */
export const folderUrl = (dir: string): string => pathToFileURL(path.resolve(dir)).href + "/";
