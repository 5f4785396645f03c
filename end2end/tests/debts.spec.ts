import { test, expect } from "./fixtures";
import { desktop, phone, signIn, login, hydrated, kopecks } from "./helpers";

const HOUSE = "г. Москва, ул. Серебряная, д. 1";

test("zhitel sees the overdue banner and pays; the accountant's receivables drop by that, on the next look", async ({ browser }) => {
  const staff = await desktop(browser);
  const desk = await staff.newPage();
  await signIn(desk, login.accountant);
  await hydrated(desk);
  await desk.getByRole("link", { name: "Задолженность" }).click();
  await expect(desk).toHaveURL(/\/staff\/debts$/);
  await hydrated(desk);
  // every house: the demo's flats that stopped paying are debtors, most overdue first
  await expect(desk.getByTestId("debtor").first()).toBeVisible();
  const overdue = await desk.getByTestId("debtor-overdue").allInnerTexts();
  const amounts = overdue.map(kopecks);
  expect(amounts.length).toBeGreaterThan(1);
  expect([...amounts].sort((a, b) => b - a)).toEqual(amounts);
  await expect(desk.getByTestId("debts-chart").locator("rect")).toHaveCount(12);
  await expect(desk.getByTestId("debts-houses")).toContainText(HOUSE);
  // the most overdue debtor's card: the months owed, oldest overdue first in the list's figure
  await desk.getByTestId("debtor").first().getByRole("link").click();
  await expect(desk).toHaveURL(/\/staff\/debts\/account\/\d+$/);
  await hydrated(desk);
  expect(kopecks(await desk.getByTestId("debtor-card-overdue").innerText())).toBe(amounts[0]);
  await expect(desk.getByTestId("debtor-month").first()).toBeVisible();
  await desk.getByRole("link", { name: "← Вся задолженность" }).click();
  await expect(desk).toHaveURL(/\/staff\/debts$/);
  await hydrated(desk);
  // one house
  await desk.getByLabel("Дом", { exact: true }).selectOption({ label: HOUSE });
  await desk.getByRole("button", { name: "Показать" }).click();
  await expect(desk).toHaveURL(/\/staff\/debts\?house=\d+$/);
  await hydrated(desk);
  const houseUrl = desk.url();
  const before = kopecks(await desk.getByTestId("debts-owed").innerText());
  expect(before).toBeGreaterThan(100000);

  // zhitel pays 1 000 ₽ through the sandbox bank
  const context = await phone(browser);
  const page = await context.newPage();
  await signIn(page, login.resident);
  await hydrated(page);
  // the start page says a due date has passed, and offers to pay
  const banner = page.getByTestId("overdue-banner");
  await expect(banner).toContainText("Срок оплаты прошёл");
  await expect(banner).toContainText("кв. 12");
  await banner.getByTestId("overdue-pay").click();
  await expect(page).toHaveURL(/\/cabinet\/pay$/);
  await hydrated(page);
  const card = page.getByTestId("pay-account").filter({ hasText: "кв. 12" }).first();
  for (const other of await page.getByTestId("pay-account").all()) {
    await other.getByLabel(/Сумма/).fill("");
  }
  await card.getByLabel(/Сумма/).fill("1000");
  await page.getByTestId("pay-submit").click();
  await expect(page).toHaveURL(/\/sandbox-bank\/pay\/\d+$/);
  await page.getByLabel("Номер карты").fill("4242 4242 4242 4242");
  await page.getByLabel("Срок действия").fill("12/30");
  await page.getByLabel("CVC").fill("123");
  await page.getByRole("button", { name: "Оплатить" }).click();
  await expect(page).toHaveURL(/\/cabinet\/payment\/\d+$/);
  await hydrated(page);
  await expect(page.getByTestId("payment-credited")).toHaveText("Зачислено на счёт", { timeout: 20_000 });
  await context.close();

  // the accountant looks again: the house owes 1 000 ₽ less
  await desk.goto(houseUrl);
  await hydrated(desk);
  expect(kopecks(await desk.getByTestId("debts-owed").innerText())).toBe(before - 100000);
  await staff.close();
});
