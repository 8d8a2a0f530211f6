// Headless Chromium on the local page: log in, open a space and a document, then report what
// arrives live. Talks to its caller in lines on stdout and stdin:
//   out "opened <content>"   the document is shown            in  (caller edits it elsewhere)
//   out "live <content>"     an edit arrived without a reload
//   out "saved <revision>"   the page's own edit was saved
//   node browser_session.mjs '{"chromium": "/usr/bin/chromium", "url": "http://127.0.0.1:8080/",
//     "email": "...", "password": "...", "spaceName": "...", "title": "...",
//     "liveContent": "...", "pageEdit": "..."}'
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const request = JSON.parse(process.argv[2]);
const profile = mkdtempSync(join(tmpdir(), "fleet-chromium-"));
const STEP_TIMEOUT = 30_000;

const context = await chromium.launchPersistentContext(profile, {
  executablePath: request.chromium,
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(STEP_TIMEOUT);
  page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
  await page.goto(request.url);
  await page.fill("#email", request.email);
  await page.fill("#password", request.password);
  await page.click("#sign-in-button");
  await page.click(`#spaces button:text-is("${request.spaceName}")`);
  await page.click(`#documents button:text-is("${request.title}")`);
  await page.waitForFunction(
    () => document.querySelector("#document-status")?.textContent?.startsWith("live"),
  );
  const content = page.locator("#document-content");
  console.log(`opened ${JSON.stringify(await content.inputValue())}`);

  await page.waitForFunction(
    (expected) => document.querySelector("#document-content")?.value === expected,
    request.liveContent,
  );
  console.log(`live ${JSON.stringify(await content.inputValue())}`);

  await content.fill(request.pageEdit);
  await page.click("#save-button");
  await page.waitForFunction(
    () => document.querySelector("#save-status")?.textContent?.startsWith("saved"),
  );
  console.log(`saved ${JSON.stringify(await page.locator("#save-status").textContent())}`);
} catch (error) {
  const page = context.pages()[0];
  const shown = async (selector) => (page ? await page.locator(selector).textContent() : "");
  console.error(
    `browser session failed: ${error.message}; the page said: ` +
      `status "${await shown("#document-status")}", error "${await shown("#error")}"`,
  );
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
