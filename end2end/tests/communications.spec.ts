import { test, expect } from "./fixtures";
import { desktop, phone, signIn, login, hydrated } from "./helpers";

test("a critical announcement reaches the resident's phone as a banner and in the bell", async ({ browser }) => {
  const TITLE = "Отключение холодной воды";
  const staff = await desktop(browser);
  const desk = await staff.newPage();
  await signIn(desk, login.dispatcher);
  await desk.getByRole("link", { name: "Объявления" }).click();
  await expect(desk).toHaveURL(/\/staff\/announcements$/);
  await hydrated(desk);
  const form = desk.getByTestId("announcement-form");
  await form.getByLabel("Заголовок").fill(TITLE);
  await form.getByLabel("Текст").fill("Авария на вводе: воды не будет до 18:00.\n\n- подъезд 1\n- подъезд 2");
  await form.getByLabel("Кому").selectOption({ label: "г. Москва, ул. Серебряная, д. 3" });
  await form.getByLabel(/Срочное/).check();
  // the dispatcher must say when it ends: five hours from now, Moscow time
  const until = new Date(Date.now() + (3 + 5) * 3600_000).toISOString().slice(0, 16);
  await form.getByLabel("Действует до").fill(until);
  await form.getByRole("button", { name: "Опубликовать" }).click();
  await expect(desk.getByText("Опубликовано.")).toBeVisible();
  const posted = desk.getByTestId("staff-announcement").filter({ hasText: TITLE });
  await expect(posted).toHaveCount(1);

  // the resident (house 3, flat 5) on a phone: the banner at once, the bell once fanned out
  const mobile = await phone(browser);
  const page = await mobile.newPage();
  await signIn(page, login.resident);
  const banner = page.getByTestId("critical-banner").filter({ hasText: TITLE });
  await expect(banner).toBeVisible();
  await expect(banner).toContainText("воды не будет до 18:00");
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("bell-count")).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  const count = Number(await page.getByTestId("bell-count").textContent());
  expect(count).toBeGreaterThanOrEqual(1);

  await hydrated(page);
  await page.getByTestId("bell").click();
  await expect(page).toHaveURL(/\/cabinet\/notifications$/);
  const notice = page.getByTestId("notification").filter({ hasText: `Срочно: ${TITLE}` });
  await expect(notice).toHaveAttribute("data-unread", "true");
  await page.getByTestId("read-all").click();
  await expect(notice).toHaveAttribute("data-unread", "false");
  await expect(page.getByTestId("bell-count")).toHaveCount(0);

  // read, the banner can be collapsed: gone from the header, still in the list
  await banner.getByTestId("collapse-banner").click();
  await expect(page.getByTestId("critical-banner").filter({ hasText: TITLE })).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId("critical-banner").filter({ hasText: TITLE })).toHaveCount(0);
  await expect(notice).toBeVisible();

  // the news page keeps the announcement while it is in force; the neighbour in house 1 never sees it
  await page.getByTestId("bottom-nav").getByText("Новости").click();
  await expect(page.getByTestId("announcement").filter({ hasText: TITLE })).toBeVisible();
  await expect(page.getByTestId("news-item").first()).toBeVisible();
  const neighbourContext = await phone(browser);
  const neighbour = await neighbourContext.newPage();
  await signIn(neighbour, login.neighbour);
  await expect(neighbour.getByRole("heading", { name: "Мои квартиры" })).toBeVisible();
  await expect(neighbour.getByTestId("critical-banner")).toHaveCount(0);
  await neighbourContext.close();

  // the dispatcher sees who read it, then takes it down; the banner goes
  await desk.reload();
  const report = desk.getByTestId("staff-announcement").filter({ hasText: TITLE }).getByTestId("delivery-report");
  await expect(report.getByTestId("report-recipients")).toHaveText("1");
  await expect(report.getByTestId("report-read")).toHaveText("1");
  await hydrated(desk);
  await desk.getByTestId("staff-announcement").filter({ hasText: TITLE }).getByRole("button", { name: "Снять" }).click();
  await expect(async () => {
    await page.goto("/cabinet");
    await expect(page.getByRole("heading", { name: "Мои квартиры" })).toBeVisible({ timeout: 1000 });
    await expect(page.getByTestId("critical-banner")).toHaveCount(0, { timeout: 1000 });
  }).toPass({ timeout: 10_000 });
  await staff.close();
  await mobile.close();
});

test("a resident finds answers in the FAQ and sets notification channels", async ({ browser }) => {
  const mobile = await phone(browser);
  const page = await mobile.newPage();
  await signIn(page, login.neighbour);
  await hydrated(page);
  await page.getByTestId("bottom-nav").getByText("Справка").click();
  await expect(page.getByRole("heading", { name: "Вопросы и ответы" })).toBeVisible();
  await page.getByRole("searchbox").fill("авария");
  await page.getByRole("button", { name: "Найти" }).click();
  await expect(page).toHaveURL(/q=/);
  const item = page.getByTestId("faq-item").filter({ hasText: "Что считается аварией?" });
  await item.getByText("Что считается аварией?").click();
  await expect(item.getByText("104")).toBeVisible();
  await expect(page.getByTestId("faq-item").filter({ hasText: "Как оплатить" })).toHaveCount(0);

  await page.goto("/cabinet/notifications/settings");
  await hydrated(page);
  const email = page.getByLabel("Объявления управляющей организации — E-mail");
  await expect(email).toBeChecked();
  await expect(page.getByLabel("Срочные объявления (аварии, отключения) — SMS")).toBeDisabled();
  await email.uncheck();
  await page.getByLabel("С", { exact: true }).fill("22:00");
  await page.getByLabel("До", { exact: true }).fill("08:00");
  await page.getByRole("button", { name: "Сохранить" }).click();
  await expect(page.getByText("Сохранено.")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Объявления управляющей организации — E-mail")).not.toBeChecked();
  await expect(page.getByLabel("С", { exact: true })).toHaveValue("22:00");
  await expect(page.getByRole("button", { name: "Включить на этом устройстве" })).toBeVisible();
  await mobile.close();
});
