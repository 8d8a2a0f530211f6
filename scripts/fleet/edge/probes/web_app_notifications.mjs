// Headless Chromium on the web app's bell: a person signs up, the bell goes live at 0; whoever
// runs the probe then has someone add them to a space; the count rises without a reload, the
// panel lists the notification (a Server Action), a click marks it read and the count falls.
// Prints one line per step on stdout ("ready <user> <count>" first, for the caller to act on):
//   node web_app_notifications.mjs '{"chromium": "/usr/bin/chromium", "url": "http://127.0.0.1:8080/",
//     "email": "a@example.com", "password": "...", "deadlineSeconds": 60}'
import { chromium } from "playwright-core";

const request = JSON.parse(process.argv[2]);
const STEP_TIMEOUT = (request.deadlineSeconds ?? 60) * 1000;
const base = request.url.replace(/\/$/, "");
const problems = [];

const browser = await chromium.launch({
  executablePath: request.chromium,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"],
});
const page = await (await browser.newContext()).newPage();
page.setDefaultTimeout(STEP_TIMEOUT);
page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
page.on("console", (message) => {
  if (message.type() === "error") {
    problems.push(`console: ${message.text()}`);
  }
});

const count = () => page.locator("#bell-count").textContent();
try {
  await page.goto(`${base}/sign-up`);
  await page.fill("#email", request.email);
  await page.fill("#display-name", "Grace");
  await page.fill("#password", request.password);
  await page.click("#sign-up-button");
  await page.waitForURL(/\/spaces$/);
  const user = (await page.locator("#my-user-name").textContent()).trim();
  await page.waitForSelector('#bell[data-state="live"]');
  await page.evaluate(() => {
    window.notReloaded = true;
  });
  console.log(`ready ${user} ${await count()}`);

  await page.waitForFunction(() => document.querySelector("#bell-count")?.textContent === "1");
  const kept = await page.evaluate(() => window.notReloaded === true);
  console.log(`count ${await count()}${kept ? " without a reload" : " after a reload"}`);
  console.log(`label ${await page.locator("#bell").getAttribute("aria-label")}`);

  await page.click("#bell");
  await page.waitForSelector("#notification-list li");
  const titles = await page.locator("#notification-list .notification-title").allTextContents();
  const unread = await page.locator('#notification-list li[data-read="false"]').count();
  console.log(`listed ${JSON.stringify(titles)} unread ${unread}`);

  await page.locator("#notification-list li button").first().click();
  await page.waitForSelector('#notification-list li[data-read="true"]');
  await page.waitForFunction(() => document.querySelector("#bell-count")?.textContent === "0");
  console.log(`read ${await count()}`);

  await page.reload();
  await page.waitForSelector('#bell[data-state="live"]');
  console.log(`after a reload ${await count()}`);
  console.log(`problems: ${JSON.stringify(problems)}`);
} catch (error) {
  const alert = (await page.locator("[role=alert]").count())
    ? await page.locator("[role=alert]").first().textContent()
    : "";
  console.error(`bell session failed: ${error.message}; at ${page.url()} said "${alert}"; ${JSON.stringify(problems)}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
