import { Browser, BrowserContext, Page, devices, expect } from "@playwright/test";

export const PASSWORD = "demo-klyuch-2026";
export const login = {
  resident: "zhitel@demo.klyuch.ru",
  neighbour: "sosed@demo.klyuch.ru",
  accountant: "buhgalter@demo.klyuch.ru",
  dispatcher: "dispetcher@demo.klyuch.ru",
  chair: "predsedatel@demo.klyuch.ru",
  executor: "master@demo.klyuch.ru",
  guard: "ohrana@demo.klyuch.ru",
};

/** A phone (the Pixel-class reference screen) or a desktop browser context. */
export async function phone(browser: Browser): Promise<BrowserContext> {
  const { defaultBrowserType, ...pixel } = devices["Pixel 7"];
  return browser.newContext({ ...pixel, locale: "ru-RU" });
}

export async function desktop(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1366, height: 850 }, locale: "ru-RU" });
}

/** Waits until the page has loaded and its wasm bundle has been fetched and started (network
 * idle), so clicks are handled by the hydrated app rather than by plain HTML. */
export async function hydrated(page: Page) {
  await page.waitForLoadState("networkidle");
}

export async function signIn(page: Page, who: string, password = PASSWORD) {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("E-mail или телефон").fill(who);
  await page.getByLabel("Пароль").fill(password);
  await page.getByRole("button", { name: "Войти" }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

/** `1 234,56 ₽` → kopecks. */
export function kopecks(label: string): number {
  const digits = label.replace(/[^\d,−-]/g, "").replace("−", "-").replace(",", ".");
  return Math.round(parseFloat(digits) * 100);
}
