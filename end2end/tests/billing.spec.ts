import { test, expect } from "./fixtures";
import { desktop, phone, signIn, login, hydrated } from "./helpers";

const HOUSE = "г. Москва, ул. Серебряная, д. 1";

test("zhitel on a phone sees the month's charges with their calculation and downloads the bill", async ({ browser }) => {
  const context = await phone(browser);
  const page = await context.newPage();
  await signIn(page, login.resident);
  await hydrated(page);
  await page.getByTestId("my-apartment").filter({ hasText: "Квартира 12" }).getByText("Начисления, пени, квитанции").first().click();
  await expect(page).toHaveURL(/\/cabinet\/account\/\d+$/);
  await hydrated(page);
  const card = page.getByTestId("balance-card");
  await expect(card).toContainText("Задолженность");
  await expect(card).toContainText("Оплатить до");
  await expect(page.getByTestId("money-chart")).toBeVisible();
  const month = page.getByTestId("month").first();
  await expect(month.getByTestId("charge-line")).toHaveCount(10);
  await expect(month.getByTestId("charge-line").filter({ hasText: "Электроэнергия" })).toContainText("₽ =");
  // an older month opens on a tap and lists its payment
  const older = page.getByTestId("month").nth(2);
  await older.locator("summary").click();
  await expect(older.getByTestId("payments")).toContainText("Оплата");
  // the bill is a PDF
  const href = await page.getByTestId("bill-link").getAttribute("href");
  const response = await page.request.get(href!);
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toBe("application/pdf");
  expect((await response.body()).subarray(0, 4).toString()).toBe("%PDF");
  await context.close();
});

test("the accountant runs the next period, follows the progress and sees the draft's totals", async ({ browser }) => {
  const context = await desktop(browser);
  const page = await context.newPage();
  await signIn(page, login.accountant);
  await hydrated(page);
  await page.getByRole("link", { name: "Начисления" }).click();
  await expect(page).toHaveURL(/\/staff\/billing/);
  await hydrated(page);
  await page.getByLabel("Дом", { exact: true }).selectOption({ label: HOUSE });
  await page.getByRole("button", { name: "Показать" }).click();
  await expect(page).toHaveURL(/house=\d+/);
  await hydrated(page);
  // the default period is posted; the next one has not been run
  await expect(page.getByTestId("run-status")).toContainText("проведён");
  await page.getByRole("link", { name: /→$/ }).click();
  await hydrated(page);
  await expect(page.getByTestId("run-status")).toContainText("Период ещё не рассчитан");
  await page.getByTestId("run").click();
  await expect(page.getByTestId("run-status")).toContainText("черновик", { timeout: 30_000 });
  await expect(page.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100");
  await expect(page.getByTestId("totals")).toContainText("Холодное водоснабжение");
  await expect(page.getByTestId("post")).toBeVisible();
  await context.close();
});

test("the accountant makes the house's bills as a job and downloads them in one ZIP", async ({ browser }) => {
  const context = await desktop(browser);
  const page = await context.newPage();
  await signIn(page, login.accountant);
  await hydrated(page);
  await page.goto("/staff/billing");
  await hydrated(page);
  await page.getByLabel("Дом", { exact: true }).selectOption({ label: HOUSE });
  await page.getByRole("button", { name: "Показать" }).click();
  await expect(page).toHaveURL(/house=\d+/);
  await hydrated(page);
  await expect(page.getByTestId("run-status")).toContainText("проведён");
  const bills = page.getByTestId("house-bills");
  await bills.getByLabel("Разослать жильцам по e-mail").check();
  await bills.getByTestId("make-bills").click();
  await expect(bills.getByTestId("bills-status")).toContainText("готово", { timeout: 60_000 });
  await expect(bills.getByTestId("bills-notified")).toBeVisible();
  const href = await bills.getByTestId("bills-zip").getAttribute("href");
  const response = await page.request.get(href!);
  expect(response.status()).toBe(200);
  expect((await response.body()).subarray(0, 2).toString()).toBe("PK");
  await context.close();
});

test("the accountant checks an accounts file: every row is reported before anything is loaded", async ({ browser }) => {
  const context = await desktop(browser);
  const page = await context.newPage();
  await signIn(page, login.accountant);
  await hydrated(page);
  await page.goto("/staff/billing/import");
  await hydrated(page);
  await page.getByLabel("Что загружается").selectOption("accounts");
  await page.getByLabel("Файл").setInputFiles({
    name: "accounts.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(
      "лицевой счёт;квартира;подъезд;этаж;площадь;открыт\nE2E-1;801;1;1;40;01.01.2020\nE2E-2;802;1;1;-3;01.01.2020\n",
    ),
  });
  // the file is read into the form in the browser
  await expect(page.locator("#import-content")).not.toHaveValue("");
  await page.getByRole("button", { name: "Проверить" }).click();
  const report = page.getByTestId("import-report");
  await expect(report).toContainText("Строк без ошибок: 1 из 2");
  await expect(report).toContainText("Строка 3:");
  await expect(report).toContainText("Файл не загружен");
  await context.close();
});
