import { test, expect } from "./fixtures";
import { desktop, hydrated, signIn, login, PASSWORD } from "./helpers";

const cabinets = [
  { who: login.accountant, title: "Кабинет бухгалтера", canManage: false },
  { who: login.dispatcher, title: "Кабинет диспетчера", canManage: false },
  { who: login.chair, title: "Кабинет председателя", canManage: true },
];

for (const { who, title, canManage } of cabinets) {
  test(`${who} lands in their cabinet`, async ({ browser }) => {
    const context = await desktop(browser);
    const page = await context.newPage();
    await signIn(page, who);
    await expect(page).toHaveURL(/\/staff$/);
    await expect(page.getByTestId("cabinet-title")).toHaveText(title);
    await expect(page.getByRole("heading", { name: "Реестр квартир" })).toBeVisible();
    await expect(page.getByTestId("register-total")).toHaveText("Найдено: 240");
    await expect(page.getByRole("link", { name: "Пользователи и роли" })).toHaveCount(canManage ? 1 : 0);

    // search the register by a name in any case, then by an account number
    await page.getByLabel("Адрес, номер квартиры, лицевой счёт или ФИО").fill("смирнов алексей петрович");
    await page.getByRole("button", { name: "Найти" }).click();
    await expect(page.getByTestId("register-total")).toHaveText("Найдено: 2");
    await page.getByLabel("Адрес, номер квартиры, лицевой счёт или ФИО").fill("77010013");
    await page.getByRole("button", { name: "Найти" }).click();
    await expect(page.getByTestId("register-total")).toHaveText("Найдено: 1");
    await page.getByRole("link", { name: "13", exact: true }).click();
    await expect(page.getByRole("heading", { name: /кв\. 13/ })).toBeVisible();
    await expect(page.getByText("Кузнецова Мария Игоревна")).toBeVisible();

    const users = await page.goto("/staff/users");
    if (canManage) {
      await expect(page.getByRole("heading", { name: "Пользователи и роли" })).toBeVisible();
    } else {
      expect(users!.status()).toBe(403);
      await expect(page.getByRole("heading", { name: "Нет доступа" })).toBeVisible();
    }
    await context.close();
  });
}

test("in one tab the resident signs out and the accountant signs in: each page is the signed-in person's", async ({
  browser,
}) => {
  const context = await desktop(browser);
  const page = await context.newPage();
  await signIn(page, login.resident);
  await expect(page).toHaveURL(/\/cabinet$/);
  await page.getByRole("link", { name: "Профиль" }).first().click();
  await expect(page).toHaveURL(/\/cabinet\/profile$/);
  await expect(page.getByText("Житель", { exact: true })).toBeVisible();

  // signing out and in again loads whole pages: the app never shows the previous person
  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/login$/);
  await hydrated(page);
  await page.getByLabel("E-mail или телефон").fill(login.accountant);
  await page.getByLabel("Пароль").fill(PASSWORD);
  await page.getByRole("button", { name: "Войти" }).click();
  await expect(page).toHaveURL(/\/staff$/);
  await expect(page.getByTestId("cabinet-title")).toHaveText("Кабинет бухгалтера");
  await hydrated(page);
  // moving inside the app keeps the accountant
  await page.getByRole("link", { name: "Профиль" }).first().click();
  await expect(page).toHaveURL(/\/staff\/profile$/);
  await expect(page.getByText("Бухгалтер", { exact: true })).toBeVisible();
  // and the resident's cabinet is not theirs
  const cabinet = await page.goto("/cabinet");
  expect(cabinet!.status()).toBe(403);
  await context.close();
});
