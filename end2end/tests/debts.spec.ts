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

test("the accountant builds a segment with a live count, mails it, and zhitel's reminder opens the payment of that account; calls and promises go on the card", async ({ browser }) => {
  const NAME = `Серебряная 1 — e2e ${Date.now()}`;
  const staff = await desktop(browser);
  const desk = await staff.newPage();
  await signIn(desk, login.accountant);
  await desk.goto("/staff/debts");
  await hydrated(desk);
  await desk.getByRole("link", { name: "Сегменты и рассылки" }).click();
  await expect(desk).toHaveURL(/\/staff\/debts\/segments$/);
  await hydrated(desk);
  // the demo's saved segments, counted today
  await expect(desk.getByTestId("segment-row").filter({ hasText: "Просрочка больше 30 дней" })).toBeVisible();
  const form = desk.getByTestId("segment-form");
  const preview = desk.getByTestId("segment-preview");
  await expect(preview).toContainText("Сейчас в сегменте");
  const everyone = Number((await preview.innerText()).match(/: (\d+) /)![1]);
  expect(everyone).toBeGreaterThan(1);
  // the count follows the form: an impossible sum empties it, one house narrows it
  await form.getByLabel("Просрочено не меньше, ₽").fill("100000000");
  await form.getByLabel("Просрочено не меньше, ₽").blur();
  await expect(preview).toContainText("Сейчас в сегменте: 0 ");
  await form.getByLabel("Просрочено не меньше, ₽").fill("");
  await form.getByLabel("Просрочено не меньше, ₽").blur();
  await form.getByLabel("Дом", { exact: true }).selectOption({ label: HOUSE });
  await expect(async () => {
    const n = Number((await preview.innerText()).match(/: (\d+) /)![1]);
    expect(n).toBeGreaterThanOrEqual(1);
    expect(n).toBeLessThan(everyone);
  }).toPass({ timeout: 10_000 });
  await form.getByLabel("Название").fill(NAME);
  await form.getByTestId("segment-save").click();
  const row = desk.getByTestId("segment-row").filter({ hasText: NAME });
  await expect(row).toBeVisible();
  await expect(row.getByTestId("segment-count")).toContainText("лицевых счетов");
  // zhitel's reminders so far (the demo's scenarios may have sent one)
  const context = await phone(browser);
  const page = await context.newPage();
  await signIn(page, login.resident);
  const reminders = page.getByTestId("notification").filter({ hasText: "Напоминаем об оплате" });
  await page.goto("/cabinet/notifications");
  await hydrated(page);
  const before = await reminders.count();
  // the mailing: queued, then in the list with its report
  await row.getByTestId("segment-send").click();
  await expect(desk.getByText("Рассылка поставлена в очередь")).toBeVisible();
  const mailing = desk.getByTestId("mailing-row").filter({ hasText: NAME });
  await expect(mailing).toBeVisible();
  await expect(mailing).toContainText("Напоминания об оплате");
  // pressed again the same day: refused in words
  await row.getByTestId("segment-send").click();
  await expect(desk.getByText("сегодня уже отправлена")).toBeVisible();

  // zhitel gets the reminder with his own sums; its link fills in that account only
  await expect(async () => {
    await page.goto("/cabinet/notifications");
    await expect(reminders).toHaveCount(before + 1, { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  const reminder = reminders;
  await expect(reminder.first()).toContainText("77010012");
  const href = await reminder.first().getByRole("link").first().getAttribute("href");
  expect(href).toMatch(/\/cabinet\/pay\?account=\d+$/);
  await page.goto(href!);
  await hydrated(page);
  const cards = page.getByTestId("pay-account");
  const own = cards.filter({ hasText: "77010012" });
  expect(kopecks(await own.getByLabel(/Сумма/).inputValue() + " ₽")).toBeGreaterThan(0);
  for (const other of await cards.all()) {
    if ((await other.innerText()).includes("77010012")) continue;
    await expect(other.getByLabel(/Сумма/)).toHaveValue("");
  }
  await context.close();

  // the card of zhitel's account: the mailing on its timeline; a call and a promise written down
  await desk.goto("/staff/debts");
  await hydrated(desk);
  await desk.getByTestId("debtor").filter({ hasText: "77010012" }).getByRole("link").click();
  await expect(desk).toHaveURL(/\/staff\/debts\/account\/\d+$/);
  await hydrated(desk);
  const timeline = desk.getByTestId("debtor-timeline");
  await expect(timeline).toContainText("Рассылка");
  await desk.getByLabel("Итог").selectOption({ label: "Не ответил" });
  await desk.getByLabel("Заметка").first().fill("Не дозвонились вечером");
  await desk.getByTestId("log-contact").click();
  await expect(timeline.getByTestId("debtor-contact").first()).toContainText("Звонок · Не ответил");
  await expect(timeline).toContainText("Не дозвонились вечером");
  const soon = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
  await desk.getByLabel("Сумма, ₽").fill("500");
  await desk.getByLabel("Оплатит до").fill(soon);
  await desk.getByTestId("record-promise").click();
  await expect(desk.getByTestId("debtor-promise").first()).toContainText("Ждём оплату");
  await expect(desk.getByTestId("debtor-promise").first()).toContainText("500,00");
  await staff.close();
});

test("the accountant sets up a dunning scenario, dry-runs it and switches it on; a step with no channel is refused", async ({ browser }) => {
  const NAME = `Сценарий e2e ${Date.now()}`;
  const staff = await desktop(browser);
  const desk = await staff.newPage();
  await signIn(desk, login.accountant);
  await desk.goto("/staff/debts");
  await hydrated(desk);
  await desk.getByRole("link", { name: "Сценарии напоминаний" }).click();
  await expect(desk).toHaveURL(/\/staff\/debts\/scenarios$/);
  await hydrated(desk);
  // the demo's two scenarios are on, and have taken steps
  await expect(desk.getByTestId("scenario").filter({ hasText: "Мягкий" }).getByTestId("scenario-state")).toHaveText("Включён");
  const form = desk.getByTestId("scenario-form");
  await form.getByLabel("Название").fill(NAME);
  await form.getByLabel("Дней после срока 1").fill("3");
  await form.getByLabel("Дней после срока 2").fill("30");
  await form.getByLabel("Долг от, ₽ 2").fill("1000");
  await form.getByLabel("E-mail 2").uncheck();
  await form.getByTestId("scenario-save").click();
  await expect(form.getByRole("alert")).toContainText("Шаг 2: выберите хотя бы один канал");
  await form.getByLabel("SMS 2").check();
  await form.getByTestId("scenario-save").click();
  await expect(form.getByText("Сценарий сохранён выключенным")).toBeVisible();
  const card = desk.getByTestId("scenario").filter({ hasText: NAME });
  await expect(card.getByTestId("scenario-state")).toHaveText("Выключен");
  await expect(card.getByTestId("scenario-step")).toHaveCount(2);
  await card.getByTestId("scenario-dry-run").click();
  await expect(card.getByTestId("dry-run")).toContainText("Сегодня сценарий отправил бы напоминаний");
  await expect(card.getByTestId("dry-run-line").first()).toBeVisible();
  await card.getByTestId("scenario-switch").click();
  await expect(card.getByTestId("scenario-state")).toHaveText("Включён");
  await staff.close();
});
