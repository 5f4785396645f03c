// Lighthouse on the resident's pages (run by `make lighthouse`, not a test): starts the release
// server on a fresh demo database (start-server.sh), signs zhitel in, and runs Lighthouse's
// mobile preset (simulated slow 4G and a 4× slower CPU) in Debian's Chromium on the start page,
// the account page and the readings page, LIGHTHOUSE_RUNS times each (default 2). Prints the
// performance, accessibility and best-practices scores, LCP, TBT, CLS and the bytes transferred.
// LIGHTHOUSE_REPORTS=<dir> also keeps each run's full report.
import { spawn } from "node:child_process";
import { chromium } from "@playwright/test";
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";
import { mkdirSync, writeFileSync } from "node:fs";

const port = 3200;
const base = `http://127.0.0.1:${port}`;
const runs = Number(process.env.LIGHTHOUSE_RUNS ?? 2);
// LIGHTHOUSE_REPORTS=dir keeps each run's full report (JSON) for a closer look
const reports = process.env.LIGHTHOUSE_REPORTS;
if (reports) mkdirSync(reports, { recursive: true });

const server = spawn("bash", ["./start-server.sh"], {
  env: { ...process.env, E2E_PORT: String(port) },
  stdio: "ignore",
});
const stop = () => server.kill("SIGTERM");
process.on("exit", stop);
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${base}/healthz`)).ok) break;
  } catch {}
  if (i > 300) throw new Error("the server did not start");
  await new Promise((r) => setTimeout(r, 200));
}

// sign in as a resident would, and take the session cookie for Lighthouse
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
const page = await browser.newPage();
await page.goto(`${base}/login`);
await page.waitForLoadState("networkidle");
await page.getByLabel("E-mail или телефон").fill("zhitel@demo.klyuch.ru");
await page.getByLabel("Пароль").fill("demo-klyuch-2026");
await page.getByRole("button", { name: "Войти" }).click();
await page.waitForURL(`${base}/cabinet`);
const account = await page.locator('a[href^="/cabinet/account/"]').first().getAttribute("href");
const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
await browser.close();

const chrome = await chromeLauncher.launch({
  chromePath: "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu"],
});
let worst = 100;
try {
  for (const path of ["/cabinet", account, "/cabinet/readings"]) {
    for (let run = 1; run <= runs; run++) {
      const result = await lighthouse(`${base}${path}`, {
        port: chrome.port,
        output: "json",
        logLevel: "error",
        onlyCategories: ["performance", "accessibility", "best-practices"],
        extraHeaders: { Cookie: cookie },
      });
      const { categories, audits } = result.lhr;
      if (reports) {
        const name = `${path.replace(/\W+/g, "_").replace(/^_/, "")}-${run}.json`;
        writeFileSync(`${reports}/${name}`, JSON.stringify(result.lhr));
      }
      const score = (c) => Math.round(categories[c].score * 100);
      const ms = (a) => Math.round(audits[a].numericValue);
      worst = Math.min(worst, score("performance"));
      console.log(
        `${path.padEnd(22)} run ${run}: performance ${score("performance")}, accessibility ${score("accessibility")}, ` +
          `best practices ${score("best-practices")}; LCP ${ms("largest-contentful-paint")} ms, ` +
          `TBT ${ms("total-blocking-time")} ms, CLS ${audits["cumulative-layout-shift"].numericValue.toFixed(3)}, ` +
          `${Math.round(audits["total-byte-weight"].numericValue / 1024)} KB transferred`,
      );
    }
  }
} finally {
  await chrome.kill();
  stop();
}
console.log(`lowest performance score: ${worst}`);
