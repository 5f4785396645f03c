import { Page, Browser } from "@playwright/test";
import { test, expect } from "./fixtures";
import { desktop, phone, signIn, login, hydrated } from "./helpers";

const HOUSE = "г. Москва, ул. Серебряная, д. 1";

/** The accountant sets house 1's window on the staff page, as a real accountant would. */
async function setWindow(browser: Browser, first: number, last: number, mode: "strict" | "soft") {
  const context = await desktop(browser);
  const page = await context.newPage();
  await signIn(page, login.accountant);
  await page.goto("/staff/readings");
  await hydrated(page);
  await page.getByLabel("Дом", { exact: true }).selectOption({ label: HOUSE });
  await page.getByRole("button", { name: "Показать" }).click();
  await expect(page).toHaveURL(/house=\d+/);
  await hydrated(page);
  await page.getByLabel("С числа").fill(String(first));
  await page.getByLabel("По число").fill(String(last));
  await page.getByLabel("Режим").selectOption(mode);
  await page.getByRole("button", { name: "Сохранить" }).click();
  await expect(page.getByText("Сохранено.")).toBeVisible();
  await context.close();
}

/** A value as the page writes it: «1 081,220» (three decimals, groups of thousands). */
function shown(value: number): string {
  return value.toLocaleString("ru-RU", { minimumFractionDigits: 3, maximumFractionDigits: 3 }).replace(/\s/g, "\u00a0");
}

/** The previous value shown as the field's placeholder («1 234,500») as a number. */
async function previousOf(page: Page, field: ReturnType<Page["locator"]>): Promise<number> {
  const shown = (await field.getAttribute("placeholder")) ?? "0";
  return Number(shown.replace(/\s/g, "").replace(",", "."));
}

test("zhitel hands in readings on a phone inside the window and sees them in the history", async ({ browser }) => {
  await setWindow(browser, 1, 31, "strict");
  const context = await phone(browser);
  const page = await context.newPage();
  await signIn(page, login.resident);
  await hydrated(page);
  await page.getByTestId("bottom-nav").getByText("Показания").click();
  await expect(page).toHaveURL(/\/cabinet\/readings$/);
  const home = page.getByTestId("home-readings").filter({ hasText: `${HOUSE}, кв. 12` });
  await expect(home.getByTestId("window-note")).toContainText("открыт до");

  const meters = home.getByTestId("meter");
  const cold = meters.filter({ hasText: "Холодная вода" });
  const coldField = cold.getByRole("textbox");
  const previous = await previousOf(page, coldField);
  // a value below the previous one is refused as you type
  await coldField.pressSequentially(String(Math.floor(previous) - 1));
  await expect(cold.getByRole("alert")).toContainText("меньше предыдущего");
  const next = shown(previous + 3.5);
  await coldField.fill("");
  await coldField.pressSequentially(next);
  await expect(cold.getByRole("status")).toContainText("Расход: 3,500 м³");
  // the two-zone electricity meter takes a value per zone
  const power = meters.filter({ hasText: "Электроэнергия" });
  for (const zone of ["День (Т1)", "Ночь (Т2)"]) {
    const field = power.getByLabel(zone);
    await field.fill((await previousOf(page, field)) + 120 + "");
  }
  await home.getByRole("button", { name: "Передать показания" }).click();
  await expect(home.getByText("Показания приняты. Спасибо!")).toBeVisible();
  await expect(cold.getByTestId("current-reading")).toContainText(next);
  await expect(power.getByTestId("current-reading")).toBeVisible();

  await cold.getByRole("link", { name: "История" }).click();
  await expect(page).toHaveURL(/\/cabinet\/readings\/meter\/\d+$/);
  await expect(page.getByTestId("chart")).toBeVisible();
  await expect(page.getByTestId("readings").locator("tbody tr").first()).toContainText(next);
  await expect(page.getByTestId("months").locator("tbody tr").first()).toContainText("по показаниям");
  await context.close();
});

test("outside a strict window the form explains when it opens and saves nothing", async ({ browser }) => {
  const today = new Date().getDate();
  const [first, last] = today <= 15 ? [20, 25] : [1, 5];
  await setWindow(browser, first, last, "strict");
  const context = await phone(browser);
  const page = await context.newPage();
  await signIn(page, login.resident);
  await page.goto("/cabinet/readings");
  const home = page.getByTestId("home-readings").filter({ hasText: `${HOUSE}, кв. 12` });
  await expect(home.getByTestId("window-note")).toContainText("Приём показаний сейчас закрыт. Окно откроется");
  await expect(home.getByTestId("window-note")).toContainText(`${String(first).padStart(2, "0")}.`);
  await expect(home.getByRole("textbox")).toHaveCount(0);
  await expect(home.getByRole("button", { name: "Передать показания" })).toHaveCount(0);
  await context.close();
});

test("the form works before (and without) the app's script: a late reading in a soft window", async ({ browser }) => {
  const context = await browser.newContext({ ...(await phoneOptions()), javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, login.resident);
  await page.goto("/cabinet/readings");
  // house 3 of the demo takes late readings into the next period
  const home = page.getByTestId("home-readings").filter({ hasText: "Серебряная, д. 3, кв. 5" });
  const hot = home.getByTestId("meter").filter({ hasText: "Горячая вода" });
  const field = hot.getByRole("textbox");
  const next = shown((await previousOf(page, field)) + 1.25);
  await field.fill(next);
  await home.getByRole("button", { name: "Передать показания" }).click();
  await expect(page).toHaveURL(/\/cabinet\/readings/);
  await expect(
    page.getByTestId("home-readings").filter({ hasText: "Серебряная, д. 3, кв. 5" })
      .getByTestId("meter").filter({ hasText: "Горячая вода" }).getByTestId("current-reading"),
  ).toContainText(next);
  await context.close();
});

async function phoneOptions() {
  const { devices } = await import("@playwright/test");
  const { defaultBrowserType, ...pixel } = devices["Pixel 7"];
  return { ...pixel, locale: "ru-RU" };
}
