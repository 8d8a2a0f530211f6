// Headless Chromium on the local page, in a chosen time zone: log in, open a space that already
// holds a document, and refresh its activity panel until the document's creation is on the
// timeline; then open the document (the page reports it viewed) and wait for that on the
// timeline too; then run a search (reported as well). One line per step on stdout:
//   out "created <json>"   the panel once the creation shows: timeline items and chart days
//   out "viewed <json>"    the panel once the page's own report shows
//   out "searched <n>"     the activities the page has reported once the search's went out
//   node activity_page_session.mjs '{"chromium": "/usr/bin/chromium",
//     "url": "http://127.0.0.1:8080/", "email": "...", "password": "...", "timeZone": "Asia/Kolkata",
//     "spaceName": "...", "title": "...", "document": "spaces/.../documents/...",
//     "query": "...", "deadlineSeconds": 60}'
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const request = JSON.parse(process.argv[2]);
const profile = mkdtempSync(join(tmpdir(), "fleet-chromium-"));
const STEP_TIMEOUT = 30_000;
const RETRY_PAUSE = 500;

const context = await chromium.launchPersistentContext(profile, {
  executablePath: request.chromium,
  headless: true,
  timezoneId: request.timeZone,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

/** What the activity panel shows now: the timeline's items, the chart's days and summary. */
const shownPanel = (page) => page.$eval("#activity", (panel) => ({
  title: panel.querySelector("#activity-title")?.textContent,
  status: panel.querySelector("#activity-status")?.textContent,
  summary: panel.querySelector("#activity-chart-summary")?.textContent,
  items: Array.from(panel.querySelectorAll(".activity-item"), (item) => ({
    verb: item.dataset.verb,
    subject: item.dataset.subject,
    summary: item.querySelector(".activity-summary")?.textContent,
    time: item.querySelector(".activity-time")?.getAttribute("datetime"),
  })),
  days: Array.from(panel.querySelectorAll(".activity-day"), (day) => ({
    day: day.dataset.day,
    total: Number(day.dataset.total),
    actors: Number(day.dataset.actors),
  })),
}));

/** Refresh the panel until `shows(panel)` holds (the service consumes events within seconds). */
async function refreshUntil(page, shows, what) {
  const deadline = Date.now() + request.deadlineSeconds * 1000;
  for (;;) {
    await page.click("#activity-refresh");
    await page.waitForFunction(
      () => document.querySelector("#activity-status")?.textContent !== "loading…",
    );
    const panel = await shownPanel(page);
    if (shows(panel)) {
      return panel;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what} not shown within ${request.deadlineSeconds}s: ${JSON.stringify(panel)}`);
    }
    await page.waitForTimeout(RETRY_PAUSE);
  }
}

const reported = (page) => page.$eval("#activity", (panel) => Number(panel.dataset.reported));
const shownItem = (verb) => (panel) =>
  panel.items.some((item) => item.verb === verb && item.subject === request.document);

try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(STEP_TIMEOUT);
  page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
  await page.goto(request.url);
  await page.fill("#email", request.email);
  await page.fill("#password", request.password);
  await page.click("#sign-in-button");
  await page.click(`#spaces button:text-is("${request.spaceName}")`);
  await page.locator("#activity").waitFor();

  const created = await refreshUntil(page, shownItem("document.created"), "the creation");
  console.log(`created ${JSON.stringify(created)}`);

  await page.click(`#documents button:text-is("${request.title}")`);
  const viewed = await refreshUntil(page, shownItem("document.viewed"), "the view");
  console.log(`viewed ${JSON.stringify(viewed)}`);

  const before = await reported(page);
  await page.fill("#search-query", request.query);
  await page.click("#search-button");
  await page.waitForFunction(
    (count) => Number(document.querySelector("#activity")?.dataset.reported) > count,
    before,
  );
  console.log(`searched ${await reported(page)}`);
} catch (error) {
  const page = context.pages()[0];
  const shown = async (selector) => (page ? await page.locator(selector).textContent() : "");
  console.error(
    `activity session failed: ${error.message}; the page said: ` +
      `activity "${await shown("#activity-status")}", error "${await shown("#error")}"`,
  );
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
