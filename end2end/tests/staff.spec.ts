import { test, expect } from "./fixtures";
import { desktop, signIn, login } from "./helpers";

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
