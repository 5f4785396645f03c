import { Locator } from "@playwright/test";
import { test, expect } from "./fixtures";
import * as zlib from "zlib";
import { desktop, phone, signIn, login, hydrated } from "./helpers";

/** A photo as a phone would send it: a small PNG made here (no binary fixture in the repo). */
function photo(width = 120, height = 90): Buffer {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = table[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const tail = Buffer.alloc(4);
    tail.writeUInt32BE(crc(body));
    return Buffer.concat([head, body, tail]);
  };
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) row.set([(x * 2) % 256, (y * 3) % 256, 140], 1 + x * 3);
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Picks the option of a select whose text contains `text`. */
async function choose(select: Locator, text: string) {
  const value = await select.locator("option", { hasText: text }).first().getAttribute("value");
  await select.selectOption(value!);
}

test("zhitel on a phone files a leak with a photo; the dispatcher accepts and assigns it; the master does the work; zhitel sees every change, confirms and rates", async ({ browser }) => {
  const resident = await phone(browser);
  const page = await resident.newPage();
  await signIn(page, login.resident);
  await page.goto("/cabinet/tickets");
  await hydrated(page);
  await page.getByTestId("new-ticket").click();
  await expect(page).toHaveURL(/\/cabinet\/tickets\/new$/);
  await hydrated(page);
  await page.getByLabel(/Протечка, затопление/).check();
  await page.getByLabel("Квартира").selectOption({ label: "г. Москва, ул. Серебряная, д. 1, кв. 12" });
  await page.getByLabel("Опишите проблему").fill("Течёт с потолка в ванной, вода на полу.");
  // a bad connection: the second chunk of the document is lost once, and the upload goes on
  let dropped = 0;
  await page.route(/\/uploads\/[0-9a-f]+\?offset=524288$/, async (route) => {
    if (dropped++ === 0) await route.abort("connectionreset");
    else await route.continue();
  });
  const document = Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(700 * 1024, 7)]);
  await page.getByTestId("ticket-files").setInputFiles([
    { name: "протечка.png", mimeType: "image/png", buffer: photo() },
    { name: "акт.pdf", mimeType: "application/pdf", buffer: document },
  ]);
  const items = page.getByTestId("upload-item");
  await expect(items).toHaveCount(2);
  await expect(items.nth(0)).toContainText("Загружено", { timeout: 20_000 });
  await expect(items.nth(1)).toContainText("Загружено", { timeout: 30_000 });
  expect(dropped).toBeGreaterThan(1);
  await page.getByTestId("send-ticket").click();
  await expect(page).toHaveURL(/\/cabinet\/tickets\/\d+$/);
  const id = page.url().split("/").pop()!;
  await hydrated(page);
  await expect(page.getByTestId("ticket-status")).toHaveText("Новая");
  await expect(page.getByTestId("ticket-files-list").locator("img")).toHaveCount(1);
  await expect(page.getByTestId("ticket-files-list")).toContainText("акт.pdf");
  await expect(page.getByTestId("sla").first()).toContainText("осталось");

  // the dispatcher: the board shows it as an emergency; accept and assign it
  const office = await desktop(browser);
  const staff = await office.newPage();
  await signIn(staff, login.dispatcher);
  await staff.goto("/staff/tickets");
  await hydrated(staff);
  const row = staff.getByTestId("board-row").filter({ has: staff.getByRole("link", { name: id, exact: true }) });
  await expect(row).toContainText("авария");
  await row.getByRole("link", { name: id, exact: true }).click();
  await expect(staff).toHaveURL(new RegExp(`/staff/tickets/${id}$`));
  await hydrated(staff);
  await staff.locator('[data-move="accepted"]').click();
  await expect(staff.getByTestId("ticket-status")).toHaveText("Принята");
  await choose(staff.getByTestId("assign-contractor"), "Аквасервис");
  await choose(staff.getByTestId("assign-executor"), "Кузнецов");
  await staff.getByRole("button", { name: "Назначить" }).click();
  await expect(staff.getByText("Назначение сохранено.")).toBeVisible();

  // zhitel sees the change
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("ticket-status")).toHaveText("Принята");
  await expect(page.getByTestId("ticket-history")).toContainText("Новая → Принята");

  // the master on his phone: his work, start, a photo after the work, done
  const field = await phone(browser);
  const master = await field.newPage();
  await signIn(master, login.executor);
  await expect(master).toHaveURL(/\/staff\/work$/);
  await hydrated(master);
  await master.getByTestId("ticket-card").filter({ hasText: `№${id}` }).click();
  await expect(master).toHaveURL(new RegExp(`/staff/tickets/${id}$`));
  await hydrated(master);
  await master.locator('[data-move="in_work"]').click();
  await expect(master.getByTestId("ticket-status")).toHaveText("В работе");
  await master.getByTestId("ticket-files").setInputFiles({ name: "после.png", mimeType: "image/png", buffer: photo(80, 60) });
  await expect(master.getByTestId("upload-item")).toContainText("Загружено", { timeout: 20_000 });
  await master.getByRole("button", { name: "Прикрепить" }).click();
  await expect(master).toHaveURL(/files=ok/);
  await hydrated(master);
  await expect(master.getByTestId("ticket-files-list").locator("img")).toHaveCount(2);
  await master.locator('[data-move="done"]').click();
  await expect(master.getByTestId("ticket-status")).toHaveText("Выполнена");

  // zhitel: the executor's photo, confirm, rate
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("ticket-status")).toHaveText("Выполнена");
  await expect(page.getByTestId("ticket-files-list")).toContainText("После работ");
  await page.locator('[data-move="closed"]').click();
  await expect(page.getByTestId("ticket-status")).toHaveText("Закрыта");
  await page.getByLabel("5 из 5").click();
  await page.getByRole("button", { name: "Оценить" }).click();
  await expect(page.getByText("Спасибо за оценку!")).toBeVisible();
  await Promise.all([resident.close(), office.close(), field.close()]);
});

test("a neighbour cannot open zhitel's ticket", async ({ browser }) => {
  const context = await phone(browser);
  const page = await context.newPage();
  await signIn(page, login.resident);
  await page.goto("/cabinet/tickets");
  await hydrated(page);
  const href = await page.getByTestId("ticket-card").first().locator("..").locator("a").first().getAttribute("href");
  await context.clearCookies();
  await signIn(page, login.neighbour);
  const response = await page.goto(href!);
  expect(response!.status()).toBe(403);
  await expect(page.getByText("Нет доступа")).toBeVisible();
  await context.close();
});
