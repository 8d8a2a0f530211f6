// Headless Chromium, in the time zone it is given, on the web app's activity page of a space:
// the timeline (Server Actions, newest first) and the chart of the last 30 days in the browser's
// zone; then it opens a document, which the app reports as viewed (RecordActivities), and waits
// for the view on the timeline. Prints "created <json>" and "viewed <json>", then the problems.
//   node web_app_activity.mjs '{"chromium": "/usr/bin/chromium", "url": "http://127.0.0.1:8080/",
//     "email": "...", "password": "...", "timeZone": "Asia/Kolkata", "space": "spaces/s1",
//     "document": "spaces/s1/documents/d1", "deadlineSeconds": 60}'
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
const page = await (await browser.newContext({ timezoneId: request.timeZone })).newPage();
page.setDefaultTimeout(STEP_TIMEOUT);
page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
page.on("console", (message) => {
  if (message.type() === "error") {
    problems.push(`console: ${message.text()}`);
  }
});

const activityUrl = `${base}/${request.space}/activity`;

async function shown() {
  await page.waitForSelector("#activity-chart");
  return page.evaluate(() => ({
    title: document.querySelector("#activity-title")?.textContent ?? "",
    items: [...document.querySelectorAll("#activity-list .activity-item")].map((item) => ({
      verb: item.dataset.verb,
      subject: item.dataset.subject,
      summary: item.querySelector(".activity-summary")?.textContent ?? "",
      time: item.querySelector("time")?.getAttribute("datetime") ?? "",
      local: item.querySelector("time")?.textContent ?? "",
    })),
    days: [...document.querySelectorAll("#activity-chart .activity-day")].map((day) => ({
      day: day.dataset.day,
      total: Number(day.dataset.total),
      actors: Number(day.dataset.actors),
    })),
    summary: document.querySelector("#activity-chart-summary")?.textContent ?? "",
  }));
}

try {
  await page.goto(`${base}/sign-in`);
  await page.fill("#email", request.email);
  await page.fill("#password", request.password);
  await page.click("#sign-in-button");
  await page.waitForURL(/\/spaces$/);

  // The platform's events reach ms_activity through the broker: look until the writing is there.
  const deadline = Date.now() + STEP_TIMEOUT;
  let created = { items: [] };
  while (Date.now() < deadline) {
    await page.goto(activityUrl);
    created = await shown();
    if (created.items.some((one) => one.verb === "document.created")) {
      break;
    }
    await page.waitForTimeout(1000);
  }
  console.log(`created ${JSON.stringify(created)}`);

  // The page reports the view from the browser once it is interactive (a Server Action): leave
  // only after that report was answered, as a reader who stays on the page would.
  const reported = page.waitForResponse(
    (response) =>
      response.request().method() === "POST" &&
      response.request().headers()["next-action"] !== undefined &&
      (response.request().postData() ?? "").includes(request.document),
    { timeout: STEP_TIMEOUT },
  );
  await page.goto(`${base}/${request.document}`);
  await page.waitForSelector("#document-content");
  await reported;
  let viewed = { items: [] };
  while (Date.now() < deadline + STEP_TIMEOUT) {
    await page.goto(activityUrl);
    viewed = await shown();
    if (viewed.items.some((one) => one.verb === "document.viewed")) {
      break;
    }
    await page.waitForTimeout(1000);
  }
  console.log(`viewed ${JSON.stringify(viewed)}`);
  console.log(`problems: ${JSON.stringify(problems)}`);
} catch (error) {
  console.error(`activity session failed: ${error.message} at ${page.url()}; ${JSON.stringify(problems)}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
