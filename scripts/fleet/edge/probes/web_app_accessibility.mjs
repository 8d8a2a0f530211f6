// axe-core in headless Chromium on the web app's main pages: signed out (sign-in, sign-up), then
// signed up (spaces, a space, a document, the space's activity, its canvases, a canvas with a note, the open bell,
// the models, a model with its versions, aliases, history and deployment, a training job).
// Prints one line per page: "<page> <json of serious and critical violations>", then problems.
//   node web_app_accessibility.mjs '{"chromium": "/usr/bin/chromium", "url": "http://127.0.0.1:8080/",
//     "email": "...", "password": "...", "model": "models/embedder",
//     "job": "models/m/jobs/j", "deadlineSeconds": 60}'
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const request = JSON.parse(process.argv[2]);
const STEP_TIMEOUT = (request.deadlineSeconds ?? 60) * 1000;
const base = request.url.replace(/\/$/, "");
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const STANDARDS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
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

/** The serious and critical violations on the page as it is now. */
async function check(label) {
  // After a client-side navigation Next.js sets the new page's <title> a moment later.
  await page.waitForFunction(() => document.title.length > 0);
  await page.addScriptTag({ content: axeSource });
  const results = await page.evaluate(
    (standards) => window.axe.run(document, { runOnly: { type: "tag", values: standards } }),
    STANDARDS,
  );
  const serious = results.violations
    .filter((one) => one.impact === "serious" || one.impact === "critical")
    .map((one) => ({ id: one.id, impact: one.impact, targets: one.nodes.map((node) => node.target.join(" ")).slice(0, 5) }));
  console.log(`${label} ${JSON.stringify(serious)}`);
}

try {
  await page.goto(`${base}/sign-in`);
  await check("sign-in");
  await page.goto(`${base}/sign-up`);
  await check("sign-up");
  await page.fill("#email", request.email);
  await page.fill("#display-name", "Lin");
  await page.fill("#password", request.password);
  await page.click("#sign-up-button");
  await page.waitForURL(/\/spaces$/);
  await check("spaces");
  await page.fill("#new-space-name", "Accessible notes");
  await page.click("#create-space-button");
  await page.waitForURL(/\/spaces\/[^/]+$/);
  const space = page.url();
  await check("space");
  await page.fill("#new-document-title", "Checklist");
  await page.click("#create-document-button");
  await page.waitForURL(/\/documents\/[^/]+$/);
  await page.waitForFunction(() => document.querySelector("#document-status")?.textContent?.startsWith("live"));
  await check("document");
  await page.goto(`${space}/activity`);
  await page.waitForSelector("#activity-chart, #activity-title + section [role=alert]");
  await check("activity");
  await page.goto(`${space}/canvases`);
  await check("canvases");
  await page.fill("#new-canvas-title", "Map");
  await page.click("#create-canvas-button");
  await page.waitForURL(/\/canvases\/[^/]+$/);
  await page.waitForSelector('#canvas-status[data-state="live"]');
  await page.fill("#new-node-label", "First note");
  await page.click("#add-node-button");
  await page.waitForSelector("#canvas-nodes .canvas-node");
  await check("canvas");
  await page.click("#bell");
  await page.waitForSelector("#notification-list, #no-notifications");
  await check("bell");
  await page.goto(`${base}/models`);
  await check("models");
  await page.locator(`section.model[data-name="${request.model}"] h2 a`).click();
  await page.waitForURL(`${base}/${request.model}`);
  await page.waitForSelector("#transitions, #no-transitions");
  await check("model");
  await page.goto(`${base}/${request.job}`);
  await page.waitForFunction(() => document.querySelector("#log-status")?.textContent === "(ended)");
  await check("job");
  console.log(`problems: ${JSON.stringify(problems)}`);
} catch (error) {
  console.error(`accessibility session failed: ${error.message} at ${page.url()}; ${JSON.stringify(problems)}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
