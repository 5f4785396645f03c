import { test, expect } from "./fixtures";
import { phone, signIn, login, hydrated } from "./helpers";

test("zhitel on a phone orders a guest pass and sends its link; the guest opens it without an account; the guard checks the code, lets the guest in once, and the second check says used", async ({ browser }) => {
  const resident = await phone(browser);
  const page = await resident.newPage();
  await signIn(page, login.resident);

  // the «Пропуск» shortcut of the installed app
  await page.goto("/cabinet/passes/new");
  await hydrated(page);
  const form = page.getByTestId("pass-form");
  await form.getByLabel("Гость", { exact: true }).check();
  await form.getByLabel("Имя гостя (охрана спросит)").fill("Ирина Соколова");
  await expect(form.getByLabel("Номер машины")).toBeHidden();
  await form.getByLabel("Один раз, в определённые часы").check();
  await form.getByLabel("С", { exact: true }).fill("00:00");
  await form.getByLabel("До", { exact: true }).fill("00:00");
  await page.getByTestId("make-pass").click();

  // the pass's own page, to send to the guest
  await expect(page).toHaveURL(/\/p\/[0-9a-f]{32}$/);
  const link = page.url();
  await expect(page.getByTestId("pass-qr").locator("svg")).toBeVisible();
  const code = (await page.getByTestId("pass-code").textContent())!.trim();
  expect(code).toMatch(/^\d{6}$/);
  await expect(page.getByText("Ирина Соколова")).toHaveCount(0);

  // the guest, no account, on their own phone
  const guest = await phone(browser);
  const guestPage = await guest.newPage();
  await guestPage.goto(link);
  await hydrated(guestPage);
  await expect(guestPage.getByTestId("public-pass")).toContainText("Серебряная");
  await expect(guestPage.getByTestId("pass-code")).toHaveText(code);
  await expect(guestPage.getByText("Действует")).toBeVisible();

  // the guard at the gate: phone, lands on the post
  const gate = await phone(browser);
  const guardPage = await gate.newPage();
  await signIn(guardPage, login.guard);
  await expect(guardPage).toHaveURL(/\/staff\/gate$/);
  await hydrated(guardPage);
  // the guard's gate: chosen once, kept in the address for the bookmark
  const house = guardPage.getByTestId("gate-house");
  const serebryanaya = await house.locator("option", { hasText: "Серебряная, д. 1" }).getAttribute("value");
  await house.selectOption(serebryanaya!);
  await expect(guardPage).toHaveURL(new RegExp(`/staff/gate\\?house=${serebryanaya}$`));
  await guardPage.reload();
  await hydrated(guardPage);
  await expect(guardPage.getByTestId("gate-house")).toHaveValue(serebryanaya!);
  await guardPage.getByTestId("gate-query").fill(code);
  await guardPage.getByTestId("gate-check").click();
  const verdict = guardPage.getByTestId("gate-verdict");
  await expect(verdict).toHaveAttribute("data-ok", "true");
  await expect(verdict).toContainText("Пропуск действует");
  await expect(verdict).toContainText("Ирина Соколова");
  await expect(verdict).toContainText("кв. 12");
  await guardPage.getByTestId("gate-let-in").click();
  await expect(verdict).toContainText("Проход отмечен");

  // the same code again: red, used
  await guardPage.getByTestId("gate-check").click();
  await expect(verdict).toHaveAttribute("data-ok", "false");
  await expect(verdict).toContainText("Пропуск уже использован");

  // an unknown code: red
  await guardPage.getByTestId("gate-query").fill(code === "000000" ? "000001" : "000000");
  await guardPage.getByTestId("gate-check").click();
  await expect(verdict).toHaveAttribute("data-ok", "false");

  // zhitel's list says used
  await page.goto("/cabinet/passes");
  await hydrated(page);
  const card = page.getByTestId("pass-card").filter({ hasText: "Ирина Соколова" });
  await expect(card).toContainText("Использован");

  // the guest's link now shows no QR
  await guestPage.reload();
  await hydrated(guestPage);
  await expect(guestPage.getByText("Использован")).toBeVisible();
  await expect(guestPage.getByTestId("pass-qr")).toHaveCount(0);

  await resident.close();
  await guest.close();
  await gate.close();
});

test("a resident's own car over the flat's limit is refused with what to do", async ({ browser }) => {
  const context = await phone(browser);
  const page = await context.newPage();
  await signIn(page, login.resident);
  await page.goto("/cabinet/passes/new");
  await hydrated(page);
  const form = page.getByTestId("pass-form");
  // the demo car and this one: two, the limit
  await form.getByLabel("Моя машина").check();
  await form.getByLabel("Номер машины").fill("к 345 ор 750");
  await page.getByTestId("make-pass").click();
  await expect(page).toHaveURL(/\/cabinet\/passes$/);
  const car = page.getByTestId("pass-card").filter({ hasText: "К345ОР750" });
  await expect(car).toContainText("Действует");
  // one's own car has no guest's page to send
  await expect(car.getByTestId("pass-link")).toHaveCount(0);

  await page.goto("/cabinet/passes/new");
  await hydrated(page);
  await form.getByLabel("Моя машина").check();
  await form.getByLabel("Номер машины").fill("Н456ТТ77");
  await page.getByTestId("make-pass").click();
  await expect(page.getByRole("alert")).toContainText("не больше 2");
  await expect(page.getByRole("alert")).toContainText("диспетчера");
  await context.close();
});
