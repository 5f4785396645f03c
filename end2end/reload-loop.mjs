// Loads pages many times after signing in and counts page errors (hydration panics):
//   node reload-loop.mjs <base-url> <login> <times> <path> [<path> …]
// e.g. node reload-loop.mjs http://127.0.0.1:3000 buhgalter@demo.klyuch.ru 200 "/staff/billing?house=1"
// Prints, per path, loads and errors; exits 1 when any load had one.
import { chromium } from "@playwright/test";

const [base, login, times, ...paths] = process.argv.slice(2);
if (!base || !login || !times || paths.length === 0) {
  console.error("usage: node reload-loop.mjs <base-url> <login> <times> <path> [<path> …]");
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage();
let errors = 0;
page.on("pageerror", () => errors++);
page.on("console", (m) => {
  if (m.type() === "error" && /panicked|hydrat/i.test(m.text())) errors++;
});
await page.goto(`${base}/login`);
await page.waitForLoadState("networkidle");
await page.getByLabel("E-mail или телефон").fill(login);
await page.getByLabel("Пароль").fill(process.env.KLYUCH_PASSWORD ?? "demo-klyuch-2026");
await page.getByRole("button", { name: "Войти" }).click();
await page.waitForURL((u) => !u.pathname.startsWith("/login"));
let failed = false;
for (const path of paths) {
  errors = 0;
  let withError = 0;
  for (let i = 0; i < Number(times); i++) {
    const before = errors;
    await page.goto(`${base}${path}`);
    await page.waitForLoadState("networkidle");
    if (errors > before) withError++;
  }
  console.log(`${path}: ${times} loads, ${withError} with a page error`);
  if (withError > 0) failed = true;
}
await browser.close();
process.exit(failed ? 1 : 0);
