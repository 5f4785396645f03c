import { chromium, devices } from "@playwright/test";
import { test, expect } from "./fixtures";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { phone, signIn, login, hydrated } from "./helpers";

test("the resident start page is installable and works offline with the offline page", async ({}, testInfo) => {
  // installability is judged only for a real (non-incognito) profile
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "klyuch-pwa-"));
  const { defaultBrowserType, ...pixel } = devices["Pixel 7"];
  const launch = testInfo.project.use.launchOptions ?? {};
  const context = await chromium.launchPersistentContext(profile, {
    ...pixel,
    ...launch,
    baseURL: testInfo.project.use.baseURL,
    locale: "ru-RU",
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await signIn(page, login.resident);
  await hydrated(page);
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  expect(scope).toMatch(/\/$/);

  const manifest = await (await page.request.get("/manifest.webmanifest")).json();
  expect(manifest.display).toBe("standalone");
  expect(manifest.shortcuts.map((s: { name: string }) => s.name)).toEqual([
    "Передать показания",
    "Оплатить",
    "Заявка в АДС",
    "Пропуск",
  ]);
  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
  expect(installabilityErrors).toEqual([]);

  // the worker caches the app files this first visit loaded before it was in control
  const appFiles = await page.evaluate(() =>
    performance.getEntriesByType("resource").map((e) => e.name).filter((n) => new URL(n).pathname.startsWith("/pkg/"))
  );
  expect(appFiles.some((f) => f.endsWith(".wasm"))).toBe(true);
  await expect
    .poll(() => page.evaluate(async (files) => (await Promise.all(files.map((f) => caches.match(f)))).every(Boolean), appFiles))
    .toBe(true);

  // the second visit: the worker controls the page and every app file comes from its cache
  const fromNetwork: string[] = [];
  page.on("response", (r) => {
    if (new URL(r.url()).pathname.startsWith("/pkg/") && !r.fromServiceWorker()) fromNetwork.push(r.url());
  });
  await page.reload();
  await hydrated(page);
  await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
  expect(fromNetwork).toEqual([]);

  // then cut the network
  await context.setOffline(true);
  await page.goto("/cabinet/profile").catch(() => {});
  await expect(page.getByRole("heading", { name: "Нет подключения к интернету" })).toBeVisible();
  await context.setOffline(false);
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
});

test("every PWA shortcut opens a page of the resident cabinet", async ({ browser }) => {
  const context = await phone(browser);
  const page = await context.newPage();
  await signIn(page, login.resident);
  const readings = await page.goto("/cabinet/readings");
  expect(readings!.status()).toBe(200);
  await expect(page.getByRole("heading", { name: "Показания счётчиков" })).toBeVisible();
  const pay = await page.goto("/cabinet/pay");
  expect(pay!.status()).toBe(200);
  await expect(page.getByRole("heading", { name: "Оплата", exact: true })).toBeVisible();
  const ticket = await page.goto("/cabinet/tickets/new");
  expect(ticket!.status()).toBe(200);
  await expect(page.getByRole("heading", { name: "Заявка в аварийно-диспетчерскую службу" })).toBeVisible();
  const pass = await page.goto("/cabinet/passes/new");
  expect(pass!.status()).toBe(200);
  await expect(page.getByRole("heading", { name: "Новый пропуск" })).toBeVisible();
  await context.close();
});
