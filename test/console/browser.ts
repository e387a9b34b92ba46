import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";

/** Debian's chromium, or the one $CHROMIUM_PATH names; playwright-core downloads no browser of its own. */
export const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/** Where the screenshots go (gitignored); kept after the run so a person can look at them. */
export const artifactsDir = fileURLToPath(new URL("./artifacts/", import.meta.url));

/** A laptop screen: the console must fit it. */
export const viewport = { width: 1366, height: 768 };

/** Launches headless chromium, or fails saying how to install it: these tests are never skipped. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `the console's browser tests need Chromium at ${chromiumPath}: install Debian's package ` +
        "(apt-get install chromium; .ci/run does it when missing) or set CHROMIUM_PATH to a Chromium binary",
    );
  }
  // --no-sandbox: CI runs as root in a container, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"], headless: true });
}

/**
 * What scrolls sideways on a laptop screen: the page itself, or a box inside <main> (a table too wide for its
 * frame). Evaluated as text in the page: the tests' TypeScript has no DOM library.
 */
const sidewaysScrollers = `(() => {
  const found = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) found.push("the page (" + root.scrollWidth + "px)");
  for (const element of document.querySelectorAll("main *")) {
    if (!/auto|scroll/.test(getComputedStyle(element).overflowX)) continue;
    if (element.scrollWidth > element.clientWidth + 1)
      found.push(element.tagName.toLowerCase() + "." + element.className + " (" + element.scrollWidth + "px in " + element.clientWidth + "px)");
  }
  return found;
})()`;

export async function sidewaysOverflow(page: Page): Promise<string[]> {
  return (await page.evaluate(sidewaysScrollers)) as string[];
}

/** A full-page PNG of what the page shows now, named after the step; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(artifactsDir, { recursive: true });
  const path = `${artifactsDir}${name}.png`;
  await page.screenshot({ path, fullPage: true, animations: "disabled" });
  return path;
}
