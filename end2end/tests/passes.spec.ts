import { chromium, Page } from "@playwright/test";
import { writeFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, expect, watch } from "./fixtures";
import { desktop, phone, signIn, login, hydrated } from "./helpers";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./chromium";

/** The guard signs in and opens the post of Серебряная 1's gate; returns the house's id. */
async function guardAtSerebryanaya(guard: Page): Promise<string> {
  await signIn(guard, login.guard);
  await hydrated(guard);
  const house = guard.getByTestId("gate-house");
  const serebryanaya = (await house.locator("option", { hasText: "Серебряная, д. 1" }).getAttribute("value"))!;
  await guard.goto(`/staff/gate?house=${serebryanaya}`);
  await hydrated(guard);
  return serebryanaya;
}

/** zhitel (on `page`, signed in) orders a one-time guest pass on foot for the whole of today and
 * lands on its page to share; returns the pass's six-digit code. */
async function guestPassToday(page: Page, name: string): Promise<string> {
  await page.goto("/cabinet/passes/new");
  await hydrated(page);
  const form = page.getByTestId("pass-form");
  await form.getByLabel("Имя гостя (охрана спросит)").fill(name);
  await form.getByLabel("С", { exact: true }).fill("00:00");
  await form.getByLabel("До", { exact: true }).fill("00:00");
  await page.getByTestId("make-pass").click();
  await expect(page).toHaveURL(/\/p\/[0-9a-f]{32}$/);
  await expect(page.getByTestId("pass-qr").locator("svg")).toBeVisible();
  return (await page.getByTestId("pass-code").textContent())!.trim();
}

/** A Y4M video (one grey-scale I420 frame, looped by Chromium) of the QR code on a guest's pass
 * page, drawn on a blank page the size of a camera picture. */
async function qrVideo(passPage: Page, file: string) {
  const svg = await passPage.getByTestId("pass-qr").innerHTML();
  const canvasPage = await passPage.context().newPage();
  // about:blank: no Content-Security-Policy stops the SVG from being drawn
  const luma = await canvasPage.evaluate(async (svg) => {
    const img = new Image();
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
    await img.decode();
    const [w, h, side] = [640, 480, 360];
    const canvas = document.createElement("canvas");
    canvas.width = w;
    canvas.height = h;
    const g = canvas.getContext("2d")!;
    g.fillStyle = "#fff";
    g.fillRect(0, 0, w, h);
    g.drawImage(img, (w - side) / 2, (h - side) / 2, side, side);
    const rgba = g.getImageData(0, 0, w, h).data;
    const y: number[] = [];
    for (let i = 0; i < w * h; i++) y.push(Math.round(0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]));
    return y;
  }, svg);
  await canvasPage.close();
  const header = Buffer.from("YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\nFRAME\n");
  const chroma = Buffer.alloc((640 * 480) / 2, 128);
  writeFileSync(file, Buffer.concat([header, Buffer.from(luma), chroma]));
}

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

test("the guard's phone scans a guest's QR from its camera, lets the guest in, zhitel is told, and a second scan says used", async ({ browser }) => {
  const resident = await phone(browser);
  const page = await resident.newPage();
  await signIn(page, login.resident);
  await guestPassToday(page, "Олег Камеров");

  // the guard's phone has a camera that sees the guest's screen
  const dir = mkdtempSync(join(tmpdir(), "klyuch-qr-"));
  const video = join(dir, "qr.y4m");
  await qrVideo(page, video);
  const camera = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      ...CHROMIUM_ARGS,
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
  const errors: string[] = [];
  try {
    const gate = await phone(camera);
    watch(gate, errors);
    await gate.grantPermissions(["camera"]);
    const guard = await gate.newPage();
    await guardAtSerebryanaya(guard);

    await guard.getByTestId("gate-scan").click();
    const verdict = guard.getByTestId("gate-verdict");
    await expect(verdict).toHaveAttribute("data-ok", "true", { timeout: 20_000 });
    await expect(verdict).toContainText("Олег Камеров");
    await expect(guard.getByTestId("gate-query")).toHaveValue(/\/p\/[0-9a-f]{32}$/);
    // the camera is off once the code is read
    await expect(guard.getByTestId("gate-video")).toBeHidden();
    await guard.getByTestId("gate-let-in").click();
    await expect(verdict).toContainText("Проход отмечен");

    // zhitel is told the guest came
    await expect(async () => {
      await page.goto("/cabinet/notifications");
      await expect(page.getByText("Пришёл: Олег Камеров")).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 20_000 });

    // the guest shows the same QR again: used
    await guard.getByTestId("gate-scan").click();
    await expect(verdict).toHaveAttribute("data-ok", "false", { timeout: 20_000 });
    await expect(verdict).toContainText("Пропуск уже использован");
    await gate.close();
  } finally {
    await camera.close();
    rmSync(dir, { recursive: true, force: true });
  }
  expect(errors, "errors in the guard's pages").toEqual([]);
  await resident.close();
});

test("the guard lets in a car the camera was not sure of: the barrier opens; the dispatcher's desk shows the car inside and downloads the log", async ({ browser }) => {
  const context = await desktop(browser);
  const guard = await context.newPage();
  const serebryanaya = await guardAtSerebryanaya(guard);
  const cameras = guard.getByTestId("gate-cameras");
  await expect(cameras.getByRole("img", { name: "Камера ворот: Главные ворота" })).toBeVisible();
  // the demo's doubtful read, one letter off zhitel's car
  const doubtful = cameras.getByTestId("plate-event").filter({ hasText: "А123ВС71" });
  await expect(doubtful).toContainText("Решает охрана");
  await expect(doubtful).toContainText("А123ВС77");
  await doubtful.getByTestId("plate-let-in").click();
  await expect(doubtful).toContainText("впущен охраной", { timeout: 15_000 });
  await expect(doubtful).toContainText("шлагбаум открыт");
  await expect(doubtful.getByTestId("plate-let-in")).toHaveCount(0);
  await context.close();

  const desk = await desktop(browser);
  const page = await desk.newPage();
  await signIn(page, login.dispatcher);
  await page.goto(`/staff/passes?house=${serebryanaya}`);
  await hydrated(page);
  await expect(page.getByTestId("desk-inside")).toContainText("А123ВС77");
  // sosed's third car waits for an exception: approved, it leaves the queue
  const exception = page.getByTestId("desk-exception").filter({ hasText: "Н456ТТ77" });
  await expect(exception).toContainText("Машина сына");
  await exception.getByTestId("exception-approve").click();
  await expect(page.getByTestId("desk-exception").filter({ hasText: "Н456ТТ77" })).toHaveCount(0);
  await expect(page.getByTestId("desk-passes")).toContainText("Смирнова Галина Петровна");
  // the house's limits: open, saved as they are (the other tests rely on the defaults)
  const settings = page.getByTestId("desk-settings");
  await settings.locator("summary").click();
  await expect(settings.getByLabel("Машин жильцов на квартиру")).toHaveValue("2");
  await settings.getByTestId("settings-save").click();
  await expect(settings).toContainText("Сохранено");
  const exporter = page.getByTestId("desk-export");
  const [xlsx] = await Promise.all([
    page.waitForEvent("download"),
    exporter.getByRole("button", { name: "XLSX" }).click(),
  ]);
  expect(xlsx.suggestedFilename()).toMatch(/^gate-log-\d+-.*\.xlsx$/);
  const bytes = readFileSync(await xlsx.path());
  expect(bytes.subarray(0, 2).toString()).toBe("PK");
  await desk.close();
});

test("the guard's phone loses its connection: the post answers from the day's passes, keeps the entry, and sends it once when back online", async ({ browser }) => {
  const resident = await phone(browser);
  const page = await resident.newPage();
  await signIn(page, login.resident);
  const code = await guestPassToday(page, "Вера Офлайнова");
  await resident.close();

  const gate = await phone(browser);
  const guard = await gate.newPage();
  await guardAtSerebryanaya(guard);
  // the day's passes are with the page before the connection goes
  await expect(guard.getByTestId("gate-day")).toContainText("пропусков");
  await gate.setOffline(true);
  await guard.getByTestId("gate-query").fill(code);
  await guard.getByTestId("gate-check").click();
  const verdict = guard.getByTestId("gate-verdict");
  await expect(verdict).toHaveAttribute("data-ok", "true");
  await expect(verdict).toContainText("Нет связи");
  await expect(verdict).toContainText("Вера Офлайнова");
  await guard.getByTestId("gate-let-in").click();
  await expect(verdict).toContainText("отправится, когда появится связь");
  await expect(guard.getByTestId("gate-offline")).toContainText("ждут отправки на сервер: 1");
  // a second check offline already knows the pass is used
  await guard.getByTestId("gate-check").click();
  await expect(verdict).toHaveAttribute("data-ok", "false");
  await expect(verdict).toContainText("Пропуск уже использован");
  // a reload while offline would lose the page, not the queue: it is in the browser's storage
  expect(await guard.evaluate(() => JSON.parse(localStorage.getItem("klyuch-gate-queue") ?? "[]").length)).toBe(1);

  // back online: the queue goes by itself, and the server counted the entry
  await gate.setOffline(false);
  await expect(guard.getByTestId("gate-offline")).toHaveCount(0, { timeout: 20_000 });
  await guard.getByTestId("gate-check").click();
  await expect(verdict).toHaveAttribute("data-ok", "false");
  await expect(verdict).toContainText("Пропуск уже использован");
  await expect(verdict).not.toContainText("Нет связи");
  await gate.close();
});

test("the dispatcher makes a pass for a resident who called: found by flat, the resident sees it", async ({ browser }) => {
  const desk = await desktop(browser);
  const page = await desk.newPage();
  await signIn(page, login.dispatcher);
  await page.goto("/staff/passes");
  await hydrated(page);
  await page.getByTestId("desk-issue").click();
  await expect(page).toHaveURL(/\/staff\/passes\/new/);
  await hydrated(page);
  const house = page.getByTestId("issue-house");
  await house.selectOption((await house.locator("option", { hasText: "Серебряная, д. 1" }).getAttribute("value"))!);
  await page.getByTestId("issue-flat").fill("12");
  await page.getByTestId("issue-find").click();
  const form = page.getByTestId("pass-form");
  await expect(form).toBeVisible();
  await hydrated(page);
  await expect(page.getByTestId("issue-resident").locator("option")).not.toHaveCount(0);
  await form.getByLabel("Имя гостя (охрана спросит)").fill("Сантехник Пётр");
  await form.getByLabel("С", { exact: true }).fill("00:00");
  await form.getByLabel("До", { exact: true }).fill("00:00");
  await page.getByTestId("make-pass").click();
  await expect(page.getByTestId("issued")).toContainText("Пропуск оформлен");
  const opened = page.getByTestId("issued").getByRole("link");
  await expect(opened).toHaveAttribute("href", /^\/p\/[0-9a-f]{32}$/);
  await desk.close();

  // the resident the pass was made for sees it (zhitel lives in flat 12)
  const resident = await phone(browser);
  const mine = await resident.newPage();
  await signIn(mine, login.resident);
  await mine.goto("/cabinet/passes");
  await hydrated(mine);
  await expect(mine.getByTestId("pass-card").filter({ hasText: "Сантехник Пётр" })).toBeVisible();
  await resident.close();
});
