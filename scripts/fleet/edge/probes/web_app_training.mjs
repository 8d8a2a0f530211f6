// Headless Chromium on the web app's models page, as an administrator: the model is listed, a
// training job of its recipe is queued with the page's form (a Server Action), and the job's page
// shows its log as it is written (StreamTrainingJobLogs over gRPC-web) until it succeeds, with
// the version it produced. Prints one line per step, then the problems seen.
//   node web_app_training.mjs '{"chromium": "/usr/bin/chromium", "url": "http://127.0.0.1:8080/",
//     "email": "...", "password": "...", "model": "models/reranker", "epochs": "300",
//     "deadlineSeconds": 120}'
import { chromium } from "playwright-core";

const request = JSON.parse(process.argv[2]);
const STEP_TIMEOUT = (request.deadlineSeconds ?? 120) * 1000;
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

try {
  await page.goto(`${base}/sign-in`);
  await page.fill("#email", request.email);
  await page.fill("#password", request.password);
  await page.click("#sign-in-button");
  await page.waitForURL(/\/spaces$/);
  await page.goto(`${base}/models`);
  const model = page.locator(`section.model[data-name="${request.model}"]`);
  console.log(`listed ${JSON.stringify(await model.locator("h2").textContent())}`);

  await model.locator('input[name="recipe"]').fill("reranker");
  await model.locator('input[name="epochs"]').fill(request.epochs);
  await model.locator('button[type="submit"]').click();
  await page.waitForURL(/\/jobs\/[^/]+$/);
  await page.evaluate(() => {
    window.notReloaded = true;
  });
  await page.waitForSelector("#job-log .log-line");
  const first = await page.locator("#job-state").textContent();
  const linesAtFirst = await page.locator("#job-log > span").count();
  await page.waitForSelector('#job-state[data-state="succeeded"]');
  await page.waitForFunction(() => document.querySelector("#log-status")?.textContent === "(ended)");
  const lines = await page.locator("#job-log > span").count();
  const metrics = await page.locator("#job-log .log-metric").count();
  const kept = await page.evaluate(() => window.notReloaded === true);
  console.log(`job ${first} then succeeded${kept ? " without a reload" : " after a reload"}`);
  console.log(`log grew ${lines > linesAtFirst ? "yes" : "no"}; metric lines ${metrics > 0 ? "yes" : "no"}`);
  console.log(`job ${page.url().split("/").slice(-3).join("/")} produced ${await page.locator("#job-model-version").textContent()}`);
  console.log(`problems: ${JSON.stringify(problems)}`);
} catch (error) {
  const alert = (await page.locator("[role=alert]").count()) ? await page.locator("[role=alert]").first().textContent() : "";
  console.error(`training session failed: ${error.message}; at ${page.url()} said "${alert}"; ${JSON.stringify(problems)}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
