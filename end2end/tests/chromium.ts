/** How every test's Chromium is started (Debian's chromium: downloading browsers is impossible
 * here); a test that needs another browser (a fake camera) starts it with these and its own. */
export const CHROMIUM_PATH = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
