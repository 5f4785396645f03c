import { test, expect } from "./fixtures";
import { desktop, phone, signIn, login, hydrated } from "./helpers";

test("invite: printed code → registration on a phone → approval → linked account", async ({ browser }) => {
  const staff = await desktop(browser);
  const chair = await staff.newPage();
  await signIn(chair, login.chair);
  await chair.getByRole("link", { name: "Приглашения" }).click();
  await hydrated(chair);
  const house = chair.getByRole("listitem").filter({ hasText: "Ключевая, д. 7" });
  await house.getByRole("button", { name: "Создать коды для дома" }).click();
  const sheet = chair.getByTestId("invite-sheet");
  await expect(sheet.locator("article")).toHaveCount(78);
  const card = sheet.locator("article").filter({ hasText: "Квартира 30," });
  await expect(card.locator("svg")).toBeVisible();
  const code = (await card.getByTestId("invite-code").textContent())!.trim();
  expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);

  // the resident types the code on the sign-in page of their phone
  const mobile = await phone(browser);
  const resident = await mobile.newPage();
  await resident.goto("/login");
  await resident.getByLabel("Код приглашения").fill(code.toLowerCase());
  await resident.getByRole("button", { name: "Продолжить" }).click();
  await expect(resident.getByTestId("invite-apartment")).toContainText("Квартира 30");
  await hydrated(resident);
  await resident.getByLabel("Фамилия, имя, отчество").fill("Белова Анна Сергеевна");
  await resident.getByLabel("E-mail или телефон").fill("belova@example.ru");
  await resident.getByLabel("Пароль", { exact: true }).fill("belova-2026!");
  await resident.getByLabel("Пароль ещё раз").fill("belova-2026!");
  await resident.getByLabel("Кем вы приходитесь квартире").selectOption("tenant");
  await resident.getByRole("button", { name: "Зарегистрироваться" }).click();
  await expect(resident).toHaveURL(/\/cabinet$/);
  await expect(resident.getByText("Ждут подтверждения правления")).toBeVisible();
  await expect(resident.getByTestId("my-apartment")).toHaveCount(0);

  // the code cannot be used twice
  const other = await (await phone(browser)).newPage();
  await other.goto(`/join/${code}`);
  await expect(other.getByRole("alert")).toContainText("Код недействителен");

  await chair.getByRole("link", { name: "Заявки на привязку" }).click();
  const request = chair.getByTestId("pending-link").filter({ hasText: "Белова Анна Сергеевна" });
  await request.getByRole("button", { name: "Подтвердить" }).click();
  await expect(request).toHaveCount(0);

  await resident.reload();
  await expect(resident.getByTestId("my-apartment")).toContainText("Квартира 30");
  await expect(resident.getByTestId("account-number")).toHaveText(["77030030"]);
  await staff.close();
  await mobile.close();
});
