import OpenAI from "openai";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactsDir, launchChromium, screenshot, sidewaysOverflow, viewport } from "./browser.js";
import {
  adminToken,
  type ConsoleGateway,
  fileModel,
  readonlyToken,
  startConsoleGateway,
} from "./console-gateway.js";
import {
  descriptionOf,
  editingControls,
  heading,
  navNames,
  openPage,
  section,
  signIn,
  signInAs,
  signOut,
  startSignedOut,
  textOf,
  uiTimeout,
  visible,
  waitForText,
  whereTokenIs,
} from "./console-page.js";

/**
 * Issue 17's end-to-end flow in Chromium against the built `tollgate serve` and a mock upstream: what an admin
 * does in the console on a first day, then what a user and a readonly service account may and may not do.
 * The steps run in order on one browser page and build on each other.
 */

const provider = { id: "mock-openai", displayName: "Mock OpenAI" };
const model = { id: "gpt-4o-mini", displayName: "Mock GPT", ref: `${provider.id}::v1::gpt-4o-mini` };
const centralKey = "sk-console-e2e-central-key-7f3a9c";
const personalKey = "sk-console-e2e-personal-key-b41d";

/** The first number column of a usage table's row (the row header names the group). */
const requestsIn = async (row: Locator) => (await textOf(row.getByRole("cell").first())).trim();

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

describe("the web console in Chromium (issue 17)", () => {
  let gateway: ConsoleGateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let userToken = "";
  const pageProblems: string[] = [];

  const api = async (token: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${gateway.url}${path}`, {
      method,
      headers: { ...auth(token), ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    // biome-ignore lint/suspicious/noExplicitAny: JSON answers of any shape; the steps pick fields.
    return { status: response.status, json: (await response.json()) as any };
  };

  const chat = (token: string) =>
    new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: token, maxRetries: 0 }).chat.completions.create({
      model: model.ref,
      messages: [{ role: "user", content: "Say hello" }],
    });

  /** A screenshot of the page as it is, which must fit the window's width, tables included. */
  const shoot = async (name: string) => {
    await screenshot(page, name);
    expect(await sidewaysOverflow(page), `what scrolls sideways on ${name}`).toEqual([]);
  };

  beforeAll(async () => {
    browser = await launchChromium();
    gateway = await startConsoleGateway();
    context = await browser.newContext({ viewport, locale: "en-US" });
    page = await context.newPage();
    page.setDefaultTimeout(uiTimeout);
    page.on("pageerror", (error) => pageProblems.push(`uncaught: ${error.message}`));
    page.on("console", (message) => {
      // A refused fetch logs "Failed to load resource" on its own; a CSP violation or a React error is a defect.
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
        pageProblems.push(`console: ${message.text()}`);
    });
    console.info(`console screenshots: ${artifactsDir}`);
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });

  it("refuses a wrong token with a visible alert, then signs in with the admin token kept in sessionStorage only", async () => {
    await page.goto(`${gateway.url}/admin/`);
    await signIn(page, "tg_not_a_token_the_gateway_knows_0123456789abcdef");
    const alert = await visible(page.getByRole("alert"));
    expect(await textOf(alert)).toMatch(/not accepted/i);
    await shoot("01-sign-in-refused");

    await signInAs(page, adminToken);
    await visible(heading(page, "Providers"));
    expect(await navNames(page)).toEqual([
      "Providers",
      "Models",
      "Actors & tokens",
      "Usage",
      "My keys",
      "Latency test",
      "Audit log",
    ]);
    expect(await textOf(page.locator(".whoami"))).toMatch(/admin/);
    expect(await whereTokenIs(page, context, adminToken)).toEqual({
      sessionStorage: true,
      localStorage: false,
      documentCookie: false,
      cookies: 0,
    });
  });

  it("adds an OpenAI provider pointed at the mock, with a central key and user keys allowed", async () => {
    await page.getByRole("button", { name: "Add provider", exact: true }).click();
    const form = await visible(page.getByRole("dialog", { name: "Add provider" }));
    await form.getByLabel("ID", { exact: true }).fill(provider.id);
    await form.getByLabel("Display name", { exact: true }).fill(provider.displayName);
    await form.getByLabel("Type", { exact: true }).selectOption({ label: "OpenAI" });
    await form.getByLabel("Endpoint", { exact: true }).fill(`${gateway.mock.url}/openai`);
    await form.getByLabel("Use a central key", { exact: true }).check();
    await form.getByLabel("Central key", { exact: true }).fill(centralKey);
    await form.getByLabel("Allow user keys", { exact: true }).check();
    await form.getByLabel("Central key as fallback", { exact: true }).check();
    await shoot("02-providers-add");
    await form.getByRole("button", { name: "Save provider", exact: true }).click();
    await form.waitFor({ state: "hidden" });

    const row = await visible(page.getByRole("row").filter({ hasText: provider.displayName }));
    expect(await textOf(row)).toMatch(/OpenAI/);
    expect(await textOf(row)).toMatch(/Central key/);
    expect(await textOf(row)).not.toContain(centralKey);
    const saved = await api(adminToken, "GET", `/admin/api/providers/${provider.id}`);
    expect(saved.json).toMatchObject({
      source: "database",
      credentialMode: "central-key",
      storedCentralKey: true,
      keyPolicy: { centralKey: true, allowUserKeys: true, centralKeyFallback: true },
      settings: { type: "openai", endpoint: `${gateway.mock.url}/openai` },
    });
    // The file's keyless endpoint: nothing to set, and no central key named in its policy.
    const keyless = await visible(page.getByRole("row").filter({ hasText: /^Local/ }));
    expect(await textOf(keyless)).toMatch(/No key needed/);
    expect(await textOf(keyless)).not.toMatch(/Central key/);
    expect(await keyless.getByRole("button", { name: "Set key" }).count()).toBe(0);
    await shoot("03-providers");
  });

  it("adds a model under it and stars it as the fast-chat default, the feature the file leaves open", async () => {
    await openPage(page, "Models");
    await page.getByRole("button", { name: "Add model", exact: true }).click();
    const form = await visible(page.getByRole("dialog", { name: "Add model" }));
    await form.getByLabel("Provider", { exact: true }).selectOption({ label: provider.displayName });
    await form.getByLabel("Model ID", { exact: true }).fill(model.id);
    await form.getByLabel("Display name", { exact: true }).fill(model.displayName);
    await form.getByRole("checkbox", { name: "chat", exact: true }).check();
    await form.getByLabel("Max input tokens", { exact: true }).fill("128000");
    await form.getByLabel("Max output tokens", { exact: true }).fill("4096");
    await form.getByLabel("Input price (USD per 1M tokens)", { exact: true }).fill("0.15");
    await form.getByLabel("Output price (USD per 1M tokens)", { exact: true }).fill("0.6");
    await form.getByRole("button", { name: "Save model", exact: true }).click();
    await form.waitFor({ state: "hidden" });

    const section = await visible(page.getByRole("region", { name: provider.displayName }));
    await waitForText(section.getByRole("row").filter({ hasText: model.displayName }), model.ref);
    // Context windows exactly (the en-US separators of the browser context), not 128K / 4.1K.
    await waitForText(section.getByRole("row").filter({ hasText: model.displayName }), "128,000 / 4,096");
    const fastChat = page.getByRole("button", { name: `Default for fastChat: ${model.displayName}` });
    expect(await fastChat.getAttribute("aria-pressed")).toBe("false");
    await fastChat.click();
    await expect.poll(() => fastChat.getAttribute("aria-pressed"), { timeout: uiTimeout }).toBe("true");
    const fileStar = page.getByRole("button", { name: `Default for fastChat: ${fileModel.displayName}` });
    await expect.poll(() => fileStar.getAttribute("aria-pressed"), { timeout: uiTimeout }).toBe("false");
    // The file sets chat's default: the star is there, and disabled.
    expect(
      await page.getByRole("button", { name: `Default for chat: ${model.displayName}` }).isDisabled(),
    ).toBe(true);

    const defaults = await api(adminToken, "GET", "/admin/api/defaults");
    expect(defaults.json).toMatchObject({
      defaults: { chat: fileModel.ref, fastChat: model.ref },
      sources: { chat: "file", fastChat: "database" },
    });
    await shoot("04-models");
  });

  it("creates a user token and shows it once", async () => {
    await openPage(page, "Actors & tokens");
    const form = page.locator("form").filter({ has: page.getByRole("button", { name: "Create token" }) });
    await form.getByLabel("Name", { exact: true }).fill("Dev Alice");
    await form.getByLabel("Role", { exact: true }).selectOption("user");
    await form.getByRole("button", { name: "Create token", exact: true }).click();
    const shown = await visible(page.getByLabel("New token", { exact: true }));
    userToken = /tg_[A-Za-z0-9_-]{43}/.exec(await textOf(shown))?.[0] ?? "";
    expect(userToken).not.toBe("");
    expect(await textOf(form)).toMatch(/shown once/i);
    expect(await descriptionOf(shown)).toMatch(/shown once/i);
    await visible(form.getByRole("button", { name: "Copy", exact: true }));
    await shoot("05-actors-token-created");

    const me = await api(userToken, "GET", "/admin/api/me");
    expect(me.json).toMatchObject({ name: "Dev Alice", role: "user" });
    // Once: after leaving the page and coming back, the token is nowhere on it.
    await openPage(page, "Models");
    await openPage(page, "Actors & tokens");
    await waitForText(section(page, "Actors").getByRole("row").filter({ hasText: "Dev Alice" }), /user/);
    expect(await textOf(page.locator("body"))).not.toContain(userToken);
    for (const name of ["Actors", "Tokens"])
      await visible(page.getByRole("region", { name }).getByRole("table", { name }));
    await shoot("06-actors");
  });

  it("a chat request with that token through the OpenAI SDK reaches the mock with the central key", async () => {
    const answer = await chat(userToken);
    expect(answer.choices[0]?.message.content).toBeTruthy();
    expect(gateway.mock.last("/openai").headers.authorization).toBe(`Bearer ${centralKey}`);
  });

  it("shows the request in Usage", async () => {
    await openPage(page, "Usage");
    const topModels = page.getByRole("table", { name: "Top models" });
    // Usage events are written within a second; a person reloads until the request shows.
    const deadline = Date.now() + 15_000;
    for (;;) {
      await visible(topModels);
      const row = topModels.getByRole("row").filter({ hasText: model.ref });
      if ((await row.count()) > 0) {
        expect(await requestsIn(row)).toBe("1");
        break;
      }
      if (Date.now() > deadline)
        throw new Error(`Usage never showed ${model.ref}: ${await textOf(topModels)}`);
      await page.reload();
      await visible(heading(page, "Usage"));
    }
    const topActors = page.getByRole("table", { name: "Top actors" });
    const actorRow = await visible(topActors.getByRole("row").filter({ hasText: /Dev Alice|dev-alice/ }));
    expect(await requestsIn(actorRow)).toBe("1");
    for (const chart of ["Requests over time", "Tokens over time", "Cost over time"])
      await visible(page.getByRole("img", { name: chart }));
    await shoot("07-usage");
  }, 30_000);

  it("runs a latency test against the new model, and shows the audit log of the changes made", async () => {
    await openPage(page, "Latency test");
    await page.getByLabel("Model", { exact: true }).selectOption(model.ref);
    await page.getByLabel("Requests", { exact: true }).fill("3");
    await page.getByRole("button", { name: "Run test", exact: true }).click();
    const report = page.getByRole("region", { name: "Latency report" });
    await waitForText(report, /3\/3 requests to mock-openai::v1::gpt-4o-mini succeeded/);
    await visible(report.getByRole("rowheader", { name: "First token" }));
    await shoot("08-latency-test");
    await openPage(page, "Audit log");
    await waitForText(page.getByRole("row").filter({ hasText: provider.id }), provider.id);
    // An entry's details open under it as indented JSON, whole: no box that scrolls or cuts a line off.
    const created = page.getByRole("row").filter({ hasText: "provider-create" });
    const details = created.getByRole("button", { name: "Details", exact: true });
    expect(await details.getAttribute("aria-expanded")).toBe("false");
    await details.click();
    expect(await details.getAttribute("aria-expanded")).toBe("true");
    const json = await visible(page.locator(`[id="${await details.getAttribute("aria-controls")}"] pre`));
    expect(await textOf(json)).toContain(`"displayName": "${provider.displayName}"`);
    expect(
      await json.evaluate(
        (box) => box.scrollHeight <= box.clientHeight && box.scrollWidth <= box.clientWidth,
      ),
    ).toBe(true);
    await shoot("09-audit-log");
  });

  it("signs out, forgetting the token", async () => {
    await signOut(page);
    expect(await whereTokenIs(page, context, adminToken)).toMatchObject({ sessionStorage: false });
    await page.reload();
    await visible(page.getByRole("heading", { name: "Sign in to Tollgate" }));
  });

  it("lets the user save a personal key under My keys, which their next request uses", async () => {
    await startSignedOut(page, gateway.url);
    await signInAs(page, userToken);
    await visible(heading(page, "My keys"));
    expect(await navNames(page)).toEqual(["My keys", "Latency test"]);
    const entry = page.getByRole("region", { name: provider.displayName });
    await waitForText(entry, /Using shared key/);
    await entry.getByLabel(`Key for ${provider.displayName}`, { exact: true }).fill(personalKey);
    await entry.getByRole("button", { name: "Save key" }).click();
    await waitForText(entry, /Key saved/);
    expect(await textOf(entry)).toContain(personalKey.slice(-4));
    expect(await textOf(page.locator("body"))).not.toContain(personalKey);
    await shoot("10-my-keys");

    await chat(userToken);
    expect(gateway.mock.last("/openai").headers.authorization).toBe(`Bearer ${personalKey}`);

    await entry.getByRole("button", { name: "Remove key" }).click();
    await waitForText(entry, /Using shared key/);
    await chat(userToken);
    expect(gateway.mock.last("/openai").headers.authorization).toBe(`Bearer ${centralKey}`);
    await signOut(page);
  });

  it("gives a readonly token no enabled editing control, and the API refuses its writes", async () => {
    await startSignedOut(page, gateway.url);
    await signInAs(page, readonlyToken);
    await visible(page.getByText("Read-only access"));
    await visible(heading(page, "Providers"));
    await visible(page.getByRole("row").filter({ hasText: provider.displayName }));
    expect(await editingControls(page)).toEqual([]);
    await shoot("11-readonly-providers");

    await openPage(page, "Models");
    const star = page.getByRole("button", { name: `Default for fastChat: ${model.displayName}` });
    await visible(star);
    expect(await star.isDisabled()).toBe(true);
    expect(await editingControls(page)).toEqual([]);
    await shoot("12-readonly-models");

    await openPage(page, "Actors & tokens");
    await visible(section(page, "Actors").getByRole("row").filter({ hasText: "Dev Alice" }));
    await visible(section(page, "Tokens").getByRole("row").filter({ hasText: "Dev Alice" }));
    expect(await editingControls(page)).toEqual([]);
    await shoot("13-readonly-actors");

    const write = await api(readonlyToken, "PUT", "/admin/api/defaults", { fastChat: null });
    expect(write.status).toBe(403);
    const add = await api(readonlyToken, "POST", "/admin/api/providers", {
      id: "sneaky",
      serverSideConfig: { type: "openai" },
    });
    expect(add.status).toBe(403);
    expect((await api(adminToken, "GET", "/admin/api/defaults")).json.defaults.fastChat).toBe(model.ref);

    await signOut(page);
    expect(await whereTokenIs(page, context, readonlyToken)).toMatchObject({ sessionStorage: false });
  });

  it("met no uncaught error and no CSP violation on any page", () => {
    expect(pageProblems).toEqual([]);
  });
});
