import type { BrowserContext, Locator, Page } from "playwright-core";
import { expect } from "vitest";

/**
 * What a person does in the console, in the words the console shows: its accessible names. playwright-core has
 * no auto-retrying `expect`, so every check waits on the page's state (waitFor, expect.poll) within a bound.
 */

export const uiTimeout = 10_000;

export async function visible(locator: Locator): Promise<Locator> {
  await locator.waitFor({ state: "visible", timeout: uiTimeout });
  return locator;
}

export async function textOf(locator: Locator): Promise<string> {
  return (await locator.textContent({ timeout: uiTimeout })) ?? "";
}

export async function waitForText(locator: Locator, text: string | RegExp): Promise<void> {
  await expect
    .poll(async () => ((await locator.count()) > 0 ? textOf(locator.first()) : ""), { timeout: uiTimeout })
    .toMatch(text);
}

/** The text of the elements that describe `locator`'s element (its aria-describedby), as a screen reader adds it. */
export async function descriptionOf(locator: Locator): Promise<string> {
  return locator.evaluate((element) =>
    (element.getAttribute("aria-describedby") ?? "")
      .split(/\s+/)
      .filter((id: string) => id !== "")
      .map((id: string) => element.ownerDocument.getElementById(id)?.textContent ?? "")
      .join(" "),
  );
}

export function heading(page: Page, name: string): Locator {
  return page.getByRole("heading", { level: 1, name, exact: true });
}

/** A titled block of a page: the element around its <h2>. */
export function section(page: Page, title: string): Locator {
  return page
    .locator("section")
    .filter({ has: page.getByRole("heading", { level: 2, name: title, exact: true }) });
}

export async function signIn(page: Page, token: string): Promise<void> {
  await visible(page.getByRole("heading", { name: "Sign in to Tollgate" }));
  await page.getByLabel("Access token", { exact: true }).fill(token);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** Signs in and waits for the console's frame: the main navigation. */
export async function signInAs(page: Page, token: string): Promise<void> {
  await signIn(page, token);
  await visible(page.getByRole("navigation", { name: "Main" }));
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await visible(page.getByRole("heading", { name: "Sign in to Tollgate" }));
}

/** The sign-in page of a tab without a token, whatever an earlier step left behind. */
export async function startSignedOut(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/admin/`);
  await page.evaluate(() => sessionStorage.clear());
  await page.reload();
  await visible(page.getByRole("heading", { name: "Sign in to Tollgate" }));
}

/** Follows a link of the main navigation and waits for the page's heading. */
export async function openPage(page: Page, name: string): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).click();
  await visible(heading(page, name));
}

export async function navNames(page: Page): Promise<string[]> {
  return page.getByRole("navigation", { name: "Main" }).getByRole("link").allTextContents();
}

/** Where the page keeps `token`: the browser's storage areas and cookies. */
export async function whereTokenIs(page: Page, context: BrowserContext, token: string) {
  const storage = await page.evaluate((secret) => {
    const holds = (area: Storage) =>
      Array.from({ length: area.length }, (_, index) => area.getItem(area.key(index)!) ?? "").some((value) =>
        value.includes(secret),
      );
    return { sessionStorage: holds(sessionStorage), localStorage: holds(localStorage) };
  }, token);
  const documentCookie = String(await page.evaluate("document.cookie")).includes(token);
  const cookies = await context.cookies();
  return { ...storage, documentCookie, cookies: cookies.length };
}

/** The parts of a form control the check reads (the tests' TypeScript has no DOM library). */
interface Control {
  tagName: string;
  disabled?: boolean;
  name?: string;
  type?: string;
  textContent: string | null;
  labels?: ArrayLike<{ textContent: string | null }> | null;
  getAttribute(name: string): string | null;
  closest(selector: string): unknown;
}

/**
 * The enabled controls inside <main> that would change something: buttons named like an edit, and inputs. A
 * readonly session must have none (reading controls such as a range select are named in `allowed`).
 */
export async function editingControls(page: Page, allowed: RegExp = /^$/): Promise<string[]> {
  return page.locator("main").evaluate((main, allowedSource) => {
    const allowedName = new RegExp(allowedSource);
    const found: string[] = [];
    const controls: ArrayLike<Control> = main.querySelectorAll("button, input, select, textarea");
    for (const control of Array.from(controls)) {
      if (control.disabled || control.closest("dialog:not([open])")) continue;
      const name =
        control.getAttribute("aria-label") ??
        (
          control.labels?.[0]?.textContent ||
          control.textContent ||
          control.name ||
          control.type ||
          ""
        ).trim();
      if (allowedName.test(name)) continue;
      found.push(`${control.tagName.toLowerCase()} "${name}"`);
    }
    return found;
  }, allowed.source);
}
