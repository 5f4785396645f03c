import { test, expect } from "./fixtures";
import * as fs from "fs";
import * as path from "path";
import { desktop, phone, signIn, login, hydrated, kopecks } from "./helpers";

test("zhitel on a phone pays by card in the sandbox bank, sees the confirmation and the new balance; the accountant sees the payment", async ({ browser }) => {
  const context = await phone(browser);
  const page = await context.newPage();
  await signIn(page, login.resident);
  await hydrated(page);
  await page.getByTestId("my-apartment").filter({ hasText: "Квартира 12" }).getByText("Начисления, пени, квитанции").first().click();
  await expect(page).toHaveURL(/\/cabinet\/account\/\d+$/);
  const accountUrl = page.url();
  const accountId = accountUrl.split("/").pop();
  await hydrated(page);
  const before = kopecks(await page.getByTestId("balance").innerText());
  expect(before).toBeGreaterThan(0);

  await page.getByTestId("pay-link").click();
  await expect(page).toHaveURL(/\/cabinet\/pay$/);
  await hydrated(page);
  const card = page.getByTestId("pay-account").filter({ hasText: "кв. 12" }).first();
  await expect(card.getByTestId("pay-due")).not.toBeEmpty();
  // pay 1 000 ₽ of the debt on this account only
  for (const other of await page.getByTestId("pay-account").all()) {
    await other.getByLabel(/Сумма/).fill("");
  }
  await card.getByLabel(/Сумма/).fill("1000");
  await page.getByTestId("pay-submit").click();

  // the sandbox bank's card page
  await expect(page).toHaveURL(/\/sandbox-bank\/pay\/\d+$/);
  await expect(page.locator(".sum")).toHaveText(/^1\s000,00\s₽$/);
  // a real card form: a wrong check digit, a past expiry and a short CVC are refused, in Russian
  await page.getByLabel("Номер карты").fill("4242 4242 4242 4241");
  await page.getByLabel("Срок действия").fill("01/20");
  await page.getByLabel("CVC").fill("12");
  await page.getByRole("button", { name: "Оплатить" }).click();
  await expect(page.getByRole("alert")).toContainText("В номере карты ошибка");
  await expect(page.getByRole("alert")).toContainText("Срок действия карты истёк");
  await expect(page.getByRole("alert")).toContainText("CVC — 3 цифры");
  await page.getByLabel("Номер карты").fill("4242 4242 4242 4242");
  await page.getByLabel("Срок действия").fill("12/30");
  await page.getByLabel("CVC").fill("123");
  await page.getByRole("button", { name: "Оплатить" }).click();

  // back in the cabinet: paid and credited
  await expect(page).toHaveURL(/\/cabinet\/payment\/\d+$/);
  await hydrated(page);
  await expect(page.getByTestId("payment-status")).toHaveText("оплачен", { timeout: 20_000 });
  await expect(page.getByTestId("payment-credited")).toHaveText("Зачислено на счёт", { timeout: 20_000 });
  const pdf = await page.request.get((await page.getByTestId("payment-pdf").getAttribute("href"))!);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()["content-type"]).toBe("application/pdf");

  await page.goto(accountUrl);
  await hydrated(page);
  await expect.poll(async () => kopecks(await page.getByTestId("balance").innerText())).toBe(before - 100000);
  await context.close();

  // the accountant sees it on the account's statement
  const staff = await desktop(browser);
  const desk = await staff.newPage();
  await signIn(desk, login.accountant);
  await hydrated(desk);
  await desk.goto(`/staff/account/${accountId}`);
  await hydrated(desk);
  // the newest month is open: this month's payment is listed
  await expect(desk.getByTestId("payments").first()).toContainText("Онлайн-оплата картой");
  // and among the card payments
  await desk.goto("/staff/payments");
  await hydrated(desk);
  await expect(desk.getByTestId("card-payment").filter({ hasText: "оплачен" }).first()).toContainText("1 000,00");
  await staff.close();
});

test("the accountant loads a bank statement and assigns a payment from the queue", async ({ browser }) => {
  const context = await desktop(browser);
  const page = await context.newPage();
  await signIn(page, login.accountant);
  await hydrated(page);
  await page.getByRole("link", { name: "Платежи" }).click();
  await expect(page).toHaveURL(/\/staff\/payments$/);
  await hydrated(page);
  // the demo's statements left three payments to sort out
  const queue = page.getByTestId("queued-payment");
  await expect(queue).toHaveCount(3);
  const sample = fs.readFileSync(path.join(__dirname, "../../docs/samples/bank-statement-cp1251.txt"));
  await page.getByLabel("Файл").setInputFiles({ name: "statement.txt", mimeType: "text/plain", buffer: sample });
  await expect(page.locator("#import-content")).not.toHaveValue("");
  await page.getByRole("button", { name: "Загрузить" }).click();
  const report = page.getByTestId("import-report");
  await expect(report).toContainText("Исходящих документов: 2");
  await expect(report).toContainText("В очередь на разноску попали: 2");
  await expect(queue).toHaveCount(5);
  // a suggestion is accepted in one click
  const suggested = queue.filter({ hasText: "Вероятно" }).first();
  await suggested.getByRole("button", { name: "Зачислить" }).click();
  await expect(page.getByText("Платёж зачислен.")).toBeVisible();
  await expect(queue).toHaveCount(4);
  await context.close();
});
