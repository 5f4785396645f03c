import { test as base, expect, devices, Page } from "@playwright/test";
import { login, PASSWORD } from "./helpers";

// Pages other than the sign-in and start pages are wasm chunks fetched on first use
// (app/src/routes.rs). These tests use their own error bookkeeping: one of them makes a chunk fail
// on purpose, and the panic that follows is the expected path.
const test = base;
const CHUNK = /\/pkg\/[0-9a-f]{20}\/(chunk|split)_/;

async function signInAsResident(page: Page) {
  await page.goto("/login");
  await page.waitForLoadState("networkidle");
  await page.getByLabel("E-mail или телефон").fill(login.resident);
  await page.getByLabel("Пароль").fill(PASSWORD);
  await page.getByRole("button", { name: "Войти" }).click();
  await expect(page).toHaveURL(/\/cabinet$/);
  await page.waitForLoadState("networkidle");
}

test("a resident's first visit loads only the main module; a page's chunk comes when it is opened", async ({ browser }) => {
  const { defaultBrowserType, ...pixel } = devices["Pixel 7"];
  const context = await browser.newContext({ ...pixel, locale: "ru-RU", serviceWorkers: "block" });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const wasm: string[] = [];
  page.on("request", (r) => {
    if (r.url().endsWith(".wasm")) wasm.push(new URL(r.url()).pathname);
  });

  await signInAsResident(page);
  // the sign-in and start pages are in the main module: no chunk fetched yet
  expect(wasm.filter((p) => CHUNK.test(p))).toEqual([]);
  expect(new Set(wasm).size).toBe(1);

  await page.getByRole("link", { name: "Новости", exact: true }).first().click();
  await expect(page).toHaveURL(/\/cabinet\/news$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Новости");
  const chunks = wasm.filter((p) => CHUNK.test(p));
  expect(chunks.length).toBeGreaterThan(0);
  expect(errors).toEqual([]);
  await context.close();
});

test("a page whose chunk cannot be loaded (a tab from before a deploy) reloads once and works", async ({ browser }) => {
  const { defaultBrowserType, ...pixel } = devices["Pixel 7"];
  const context = await browser.newContext({ ...pixel, locale: "ru-RU", serviceWorkers: "block" });
  const page = await context.newPage();
  await signInAsResident(page);

  // From here on, count the documents this tab loads; errors are filed under that count.
  let documents = 0;
  page.on("request", (r) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) documents += 1;
  });
  const errors: { document: number; message: string }[] = [];
  page.on("pageerror", (e) => errors.push({ document: documents, message: e.message }));
  // The release this tab was opened with is gone: its chunks answer 404 until the tab loads a
  // new document (which names the current release's chunks).
  let refused = 0;
  await page.route(CHUNK, (route) => {
    if (documents > 0) return route.continue();
    refused += 1;
    return route.fulfill({ status: 404, body: "" });
  });

  await page.getByRole("link", { name: "Новости", exact: true }).first().click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Новости");
  await page.waitForLoadState("networkidle");
  expect(documents, "the tab reloaded once").toBe(1);
  expect(refused).toBeGreaterThan(0);
  await expect(page).toHaveURL(/\/cabinet\/news$/);
  // the failed load panics (expected: that is what makes the tab load its destination afresh);
  // the reloaded page has no errors
  expect(errors.filter((e) => e.document > 0)).toEqual([]);

  // and it is hydrated: client-side navigation works
  await page.getByRole("link", { name: "Квартиры", exact: true }).first().click();
  await expect(page).toHaveURL(/\/cabinet$/);
  expect(documents).toBe(1);
  expect(errors.filter((e) => e.document > 0)).toEqual([]);
  await context.close();
});
