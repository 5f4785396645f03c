import { test as base, expect, BrowserContext } from "@playwright/test";

/** Hydration failures as the browser reports them: a panic in the wasm (release builds trap with
 * `unreachable`), or tachys' own console message in debug builds. */
const HYDRATION = /panicked|unreachable|hydrat|RuntimeError/i;

/** Collects the page errors and hydration errors of every page of `context` into `errors`. */
export function watch(context: BrowserContext, errors: string[]) {
  const hook = (page: import("@playwright/test").Page) => {
    page.on("pageerror", (e) => errors.push(`${page.url()}: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error" && HYDRATION.test(m.text())) errors.push(`${page.url()}: ${m.text()}`);
    });
  };
  context.pages().forEach(hook);
  context.on("page", hook);
}

/** Every test of the suite: any page error (an uncaught exception, a wasm panic) or hydration
 * error in any page of any context the test opens fails the test. A page whose hydration
 * panicked looks fine but its buttons do nothing, so no test may pass over one. */
export const test = base.extend<{ pageErrors: string[] }>({
  pageErrors: [
    async ({ browser }, use) => {
      const errors: string[] = [];
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (options) => {
        const context = await newContext(options);
        watch(context, errors);
        return context;
      };
      await use(errors);
      browser.newContext = newContext;
      expect(errors, "errors in the pages this test opened").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
