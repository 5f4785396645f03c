import { test, expect } from "./fixtures";
import { phone, signIn, login, hydrated } from "./helpers";

test("a resident on a phone signs in and sees only their own flats", async ({ browser }) => {
  const context = await phone(browser);
  const page = await context.newPage();
  await signIn(page, login.resident);
  await expect(page).toHaveURL(/\/cabinet$/);
  await expect(page.getByRole("heading", { name: "Мои квартиры" })).toBeVisible();
  const accounts = page.getByTestId("account-number");
  await expect(accounts).toHaveText(["77010012", "77020005"]);
  await expect(page.getByText("77010013")).toHaveCount(0);
  await expect(page.getByTestId("bottom-nav")).toBeVisible();

  // after hydration, navigation happens in the app
  await hydrated(page);
  await page.getByRole("link", { name: /77020005/ }).click();
  await expect(page).toHaveURL(/\/cabinet\/account\/\d+$/);
  await expect(page.getByRole("heading", { name: /Лицевой счёт 77020005/ })).toBeVisible();
  await page.getByText(/Проживают/).click();
  await expect(page.getByText("Смирнова Елена Викторовна")).toBeVisible();

  await page.getByTestId("bottom-nav").getByText("Профиль").click();
  await expect(page.getByTestId("profile-name")).toHaveText("Смирнов Алексей Петрович");
  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/login/);
  await context.close();
});

test("the neighbour cannot open the resident's account by URL or by calling the server", async ({ browser }) => {
  const mine = await phone(browser);
  const residentPage = await mine.newPage();
  await signIn(residentPage, login.resident);
  const href = await residentPage.getByRole("link", { name: /77010012/ }).getAttribute("href");
  const accountId = href!.split("/").pop()!;
  await mine.close();

  const theirs = await phone(browser);
  const page = await theirs.newPage();
  await signIn(page, login.neighbour);
  await expect(page.getByTestId("account-number")).toHaveText(["77010013"]);
  const response = await page.goto(`/cabinet/account/${accountId}`);
  expect(response!.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Нет доступа" })).toBeVisible();
  await expect(page.getByText("77010012")).toHaveCount(0);

  const direct = await page.evaluate(async (id) => {
    const r = await fetch("/api/my_account", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `account_id=${id}`,
    });
    return { status: r.status, body: await r.text() };
  }, accountId);
  expect(direct.status).toBe(403);
  expect(direct.body).not.toContain("77010012");
  await theirs.close();
});

test("a wrong password is explained in Russian, before and after hydration", async ({ browser }) => {
  const context = await phone(browser);
  const page = await context.newPage();
  await signIn(page, login.neighbour, "not-the-password").catch(() => {});
  await expect(page.getByRole("alert")).toHaveText("Неверный логин или пароль.");
  await context.close();

  // with no JavaScript at all the form still posts and the error comes back in the page
  const noJs = await browser.newContext({ javaScriptEnabled: false });
  const plain = await noJs.newPage();
  await plain.goto("/login");
  await plain.getByLabel("E-mail или телефон").fill(login.neighbour);
  await plain.getByLabel("Пароль").fill("not-the-password");
  await plain.getByRole("button", { name: "Войти" }).click();
  await expect(plain.getByRole("alert")).toHaveText("Неверный логин или пароль.");
  await plain.getByLabel("E-mail или телефон").fill(login.neighbour);
  await plain.getByLabel("Пароль").fill("demo-klyuch-2026");
  await plain.getByRole("button", { name: "Войти" }).click();
  await expect(plain).toHaveURL(/\/cabinet$/);
  await expect(plain.getByTestId("account-number")).toHaveText(["77010013"]);
  await noJs.close();
});
