import { Page } from "@playwright/test";
import { test, expect } from "./fixtures";
import { desktop, phone, signIn, login, hydrated } from "./helpers";

/** The first link on `list` whose path starts with `prefix` followed by a number. */
async function firstDetail(page: Page, list: string, prefix: string): Promise<string> {
  await page.goto(list);
  await hydrated(page);
  const links = page.locator(`a[href^="${prefix}"]`);
  const hrefs = await links.evaluateAll((all) => all.map((a) => a.getAttribute("href") ?? ""));
  const found = hrefs.map((h) => h.split("?")[0]).find((h) => new RegExp(`^${prefix}\\d+$`).test(h));
  expect(found, `a link ${prefix}<id> on ${list}`).toBeTruthy();
  return found!;
}

/** Opens each path as a user would (a full load, then hydration) and checks it answers 200 and
 * shows its page; the suite's fixture fails the test on any page error. */
async function visitAll(page: Page, paths: string[]) {
  for (const path of paths) {
    const response = await page.goto(path);
    expect(response!.status(), path).toBe(200);
    await hydrated(page);
    await expect(page.locator("h1").first(), path).toBeVisible();
  }
}

test("every resident page loads and hydrates on a phone", async ({ browser }) => {
  const context = await phone(browser);
  const page = await context.newPage();
  await signIn(page, login.resident);
  const account = await firstDetail(page, "/cabinet", "/cabinet/account/");
  const news = await firstDetail(page, "/cabinet/news", "/cabinet/news/");
  const meter = await firstDetail(page, "/cabinet/readings", "/cabinet/readings/meter/");
  const ticket = await firstDetail(page, "/cabinet/tickets", "/cabinet/tickets/");
  await visitAll(page, [
    "/cabinet",
    account,
    "/cabinet/profile",
    "/cabinet/news",
    news,
    "/cabinet/faq",
    "/cabinet/faq?q=показания",
    "/cabinet/notifications",
    "/cabinet/notifications/settings",
    "/cabinet/readings",
    meter,
    "/cabinet/pay",
    "/cabinet/payments",
    "/cabinet/tickets",
    "/cabinet/tickets/new",
    ticket,
    "/cabinet/passes",
    "/cabinet/passes/new",
  ]);
  await context.close();
});

const staff: { who: string; paths: string[]; details: boolean }[] = [
  {
    who: login.accountant,
    details: true,
    paths: [
      "/staff",
      "/staff/profile",
      "/staff/readings",
      "/staff/readings/import",
      "/staff/billing",
      "/staff/billing?house=1",
      "/staff/billing/import",
      "/staff/billing/rules",
      "/staff/tariffs",
      "/staff/payments",
      "/staff/debts",
      "/staff/debts?house=1",
      "/staff/debts/segments",
      "/staff/debts/scenarios",
      "/staff/notifications",
      "/staff/notifications/settings",
    ],
  },
  {
    who: login.dispatcher,
    details: false,
    paths: [
      "/staff",
      "/staff/announcements",
      "/staff/news",
      "/staff/faq",
      "/staff/readings",
      "/staff/tickets",
      "/staff/tickets/new",
      "/staff/tickets/categories",
      "/staff/contractors",
      "/staff/templates",
      "/staff/gate",
      "/staff/passes",
      "/staff/passes/new?flat=12",
      "/staff/profile",
    ],
  },
  {
    who: login.chair,
    details: true,
    paths: [
      "/staff",
      "/staff/approvals",
      "/staff/users",
      "/staff/invites",
      "/staff/organisation",
      "/staff/announcements",
      "/staff/news",
      "/staff/faq",
      "/staff/readings",
      "/staff/billing",
      "/staff/billing/rules",
      "/staff/tariffs",
      "/staff/payments",
      "/staff/tickets",
      "/staff/contractors",
      "/staff/reports/tickets",
      "/staff/debts",
      "/staff/debts/segments",
      "/staff/debts/scenarios",
      "/staff/templates",
      "/staff/mailbox",
      "/staff/profile",
    ],
  },
  {
    who: login.executor,
    details: false,
    paths: ["/staff/work", "/staff/profile", "/staff/notifications"],
  },
  {
    who: login.guard,
    details: false,
    paths: ["/staff/gate", "/staff/profile", "/staff/notifications"],
  },
];

for (const { who, paths, details } of staff) {
  test(`every page of ${who}'s cabinet loads and hydrates on a desktop`, async ({ browser }) => {
    const context = await desktop(browser);
    const page = await context.newPage();
    await signIn(page, who);
    const more: string[] = [];
    if (details) {
      const apartment = await firstDetail(page, "/staff", "/staff/apartment/");
      more.push(apartment, await firstDetail(page, apartment, "/staff/account/"));
      more.push(await firstDetail(page, "/staff/readings", "/staff/meter/"));
    }
    if (paths.includes("/staff/debts")) {
      more.push(await firstDetail(page, "/staff/debts", "/staff/debts/account/"));
    }
    if (paths.includes("/staff/tickets")) {
      more.push(await firstDetail(page, "/staff/tickets", "/staff/tickets/"));
    }
    await visitAll(page, [...paths, ...more]);
    await context.close();
  });
}
