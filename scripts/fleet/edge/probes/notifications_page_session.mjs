// Headless Chromium on the local page: log in, watch the bell's unread count (live from
// StreamNotifications) until something concerns the user, open the bell's list and the mails the
// local SMTP sink received, then read the notification. One line per step on stdout:
//   out "ready <count>"      signed in, the bell showing the unread count
//   out "count <count>"      the bell's count once it went up, without a reload
//   out "listed <json>"      the titles in the bell's list
//   out "mail <json>"        the first mail shown: subject, to, text
//   out "read <count>"       the bell's count after clicking the notification
//   node notifications_page_session.mjs '{"chromium": "/usr/bin/chromium",
//     "url": "http://127.0.0.1:8080/", "email": "...", "password": "...", "deadlineSeconds": 60}'
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const request = JSON.parse(process.argv[2]);
const profile = mkdtempSync(join(tmpdir(), "fleet-chromium-"));
const deadline = request.deadlineSeconds * 1000;

const context = await chromium.launchPersistentContext(profile, {
  executablePath: request.chromium,
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

const count = (page) => page.locator("#bell-count").textContent();

try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(deadline);
  page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
  await page.goto(request.url);
  await page.fill("#email", request.email);
  await page.fill("#password", request.password);
  await page.click("#sign-in-button");
  await page.waitForFunction(
    () => document.querySelector("#notifications-status")?.textContent === "live",
  );
  console.log(`ready ${await count(page)}`);

  await page.waitForFunction(
    () => Number(document.querySelector("#bell-count")?.textContent) > 0,
  );
  console.log(`count ${await count(page)}`);

  await page.click("#bell");
  await page.locator(".notification").first().waitFor();
  const titles = await page.$$eval(".notification-title", (shown) =>
    shown.map((title) => title.textContent));
  console.log(`listed ${JSON.stringify(titles)}`);

  // The delivery worker sends within seconds; the list of mails is read again every 2 s.
  await page.locator(".mail").first().waitFor();
  const mail = await page.$eval(".mail", (item) => ({
    subject: item.querySelector(".mail-subject")?.textContent,
    to: item.querySelector(".mail-to")?.textContent,
    text: item.querySelector(".mail-text")?.textContent,
  }));
  console.log(`mail ${JSON.stringify(mail)}`);

  await page.click(".notification button");
  await page.waitForFunction(() => document.querySelector("#bell-count")?.textContent === "0");
  console.log(`read ${await count(page)}`);
} catch (error) {
  const page = context.pages()[0];
  const shown = async (selector) => (page ? await page.locator(selector).textContent() : "");
  console.error(
    `notifications session failed: ${error.message}; the page said: ` +
      `bell "${await shown("#bell-count")}", stream "${await shown("#notifications-status")}", ` +
      `mails "${await shown("#mails-status")}", error "${await shown("#error")}"`,
  );
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
