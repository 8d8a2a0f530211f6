// Headless Chromium on a model's page, as an administrator and then as a plain user: an alias is
// set on a version and moved to another, the model's gate refuses a version and the page says
// why, a version that does not exist and a malformed alias are form errors, an alias deleted in
// another tab meanwhile is one too; a deployment's
// canary split is checked (shares not adding up to 100% refused), set and rolled back; a training
// job is queued and cancelled from its page, whose live log ends CANCELLED; a plain user is told
// only administrators may change the registry. The model's history shows the alias's moves (who,
// from, to, why). axe-core checks the models page, the model's and the job's.
// Prints one line per step, then the problems seen.
//   node web_app_models.mjs '{"chromium": "/usr/bin/chromium", "url": "http://127.0.0.1:8080/",
//     "admin": "...", "user": "...", "password": "...", "model": "models/m",
//     "deployment": "models/m/deployments/d", "deadlineSeconds": 60}'
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const request = JSON.parse(process.argv[2]);
const STEP_TIMEOUT = (request.deadlineSeconds ?? 60) * 1000;
const base = request.url.replace(/\/$/, "");
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const STANDARDS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const problems = [];
const started = Date.now();
const said = [];
/** The requests the browser has sent and not yet seen answered, with when each left. */
const inFlight = new Map();
/** Every request the browser's pages send, kept while it is in flight, so that a step that
 * waits for ever can say which request never came back. */
function watchRequests(page) {
  page.on("request", (sent) => inFlight.set(sent, Date.now()));
  page.on("requestfinished", (sent) => inFlight.delete(sent));
  page.on("requestfailed", (sent) => inFlight.delete(sent));
}
/** The requests still in flight: method, path, whether it is a Server Action, for how long. */
function stillInFlight() {
  return [...inFlight].map(([sent, at]) => {
    const action = sent.headers()["next-action"] ? " (Server Action)" : "";
    const path = new URL(sent.url()).pathname;
    return `${sent.method()} ${path}${action} sent at ${((at - started) / 1000).toFixed(1)} s, ${((Date.now() - at) / 1000).toFixed(1)} s ago`;
  });
}
/** One line of what the page showed, kept to be told again if a later step fails. */
function tell(line) {
  said.push(line);
  console.log(line);
}

const browser = await chromium.launch({
  executablePath: request.chromium,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"],
});

async function signedIn(email) {
  const page = await (await browser.newContext()).newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  watchRequests(page);
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") {
      problems.push(`console: ${message.text()}`);
    }
  });
  await page.goto(`${base}/sign-in`);
  await page.fill("#email", email);
  await page.fill("#password", request.password);
  await page.click("#sign-in-button");
  await page.waitForURL(/\/spaces$/);
  return page;
}

/** The serious and critical axe-core violations on the page as it is now. */
async function axe(page, label) {
  await page.waitForFunction(() => document.title.length > 0);
  await page.addScriptTag({ content: axeSource });
  const results = await page.evaluate(
    (standards) => window.axe.run(document, { runOnly: { type: "tag", values: standards } }),
    STANDARDS,
  );
  const serious = results.violations
    .filter((one) => one.impact === "serious" || one.impact === "critical")
    .map((one) => ({ id: one.id, impact: one.impact, targets: one.nodes.map((node) => node.target.join(" ")).slice(0, 5) }));
  tell(`axe ${label} ${JSON.stringify(serious)}`);
}

/** Submits the set-alias form and returns what it then says (done or error), once it says
 * something other than it did before (each step here expects a different answer). */
async function setAlias(page, alias, version, reason = "") {
  const before = await page.evaluate(() => document.querySelector("#set-alias-message")?.textContent ?? "");
  const form = page.locator("#set-alias-form");
  await form.locator("#set-alias-name").fill(alias);
  await form.locator("#set-alias-version").fill(String(version));
  await form.locator("#set-alias-reason").fill(reason);
  await form.locator("#set-alias-button").click();
  await page.waitForFunction(
    (previous) => {
      const now = document.querySelector("#set-alias-message")?.textContent ?? "";
      return now !== "" && now !== previous;
    },
    before,
  );
  return page.locator("#set-alias-message").textContent();
}

/** Submits `form` and returns what its message then says, once it says something new. */
async function submitted(form) {
  const message = form.locator("[role=alert], [role=status]");
  const before = (await message.count()) ? await message.first().textContent() : "";
  await form.locator('button[type="submit"]').first().click();
  await form.locator("[role=alert], [role=status]", { hasNotText: before || "\u0000" }).first().waitFor();
  return message.first().textContent();
}

let page;
try {
  page = await signedIn(request.admin);
  const modelUrl = `${base}/${request.model}`;
  await page.goto(`${base}/models`);
  await axe(page, "models");
  await page.locator(`section.model[data-name="${request.model}"] h2 a`).click();
  await page.waitForURL(modelUrl);
  tell(`gates ${await page.locator("#model-gates").textContent()}`);
  tell(`aliases before ${(await page.locator("#no-aliases").count()) ? "none" : "some"}`);
  tell(`moves before ${(await page.locator("#no-transitions").count()) ? "none" : "some"}`);

  tell(`set ${await setAlias(page, "champion", 1, "first ranker")}`);
  const champion = page.locator('li.alias[data-alias="champion"]');
  await page.waitForSelector('li.alias[data-alias="champion"][data-version="1"]');
  await champion.locator("input.alias-version").fill("2");
  await champion.locator("input.alias-reason").fill("version 2 ranks better");
  await champion.locator('button[value="move"]').click();
  await page.waitForSelector('li.alias[data-alias="champion"][data-version="2"]');
  tell(`moved ${await champion.locator("[role=status]").textContent()}`);
  // The model's history, newest first: who, what, from, to, why (the time is the browser's own).
  for (const row of await page.locator("#transitions tbody tr").all()) {
    const cells = await row.locator("td:not(:first-child)").allTextContents();
    const when = await row.locator("td time").getAttribute("datetime");
    tell(`history ${cells.join(" | ")} | ${Number.isNaN(Date.parse(when ?? "")) ? "no time" : "timed"}`);
  }
  // With its aliases and its history filled in.
  await axe(page, "model");
  tell(`version 2 holds ${await page.locator(`tr[data-name="${request.model}/versions/2"] .version-aliases`).textContent()}`);
  tell(`production ${await setAlias(page, "production", 1)}`);
  tell(`gate ${await setAlias(page, "production", 3)}`);
  tell(`missing ${await setAlias(page, "production", 99)}`);
  tell(`malformed ${await setAlias(page, "Prod!", 2)}`);

  const deployment = page.locator(`article.deployment[data-name="${request.deployment}"]`);
  tell(`deployment ${(await deployment.locator("p").first().textContent()).replace(/\s+/g, " ")}`);
  const traffic = deployment.locator("form.traffic-form");
  const targets = traffic.locator('input[name="target"]');
  const percents = traffic.locator('input[name="percent"]');
  /** Version 1 takes 60% and version 2 `second`%. */
  async function split(second) {
    await targets.nth(0).fill("1");
    await percents.nth(0).fill("60");
    await targets.nth(1).fill("2");
    await percents.nth(1).fill(second);
  }
  await split("30");
  tell(`uneven ${await submitted(traffic)}`);
  await split("40");
  tell(`split ${await submitted(traffic)}`);
  await page.waitForFunction(
    (name) => document.querySelector(`article.deployment[data-name="${name}"] p`)?.textContent?.includes("version 2 40%"),
    request.deployment,
  );
  tell(`deployment ${(await deployment.locator("p").first().textContent()).replace(/\s+/g, " ")}`);
  const rollback = deployment.locator('form[aria-label^="Roll back"]');
  tell(`rollback ${await submitted(rollback)}`);
  await page.waitForFunction(
    (name) => !document.querySelector(`article.deployment[data-name="${name}"] p`)?.textContent?.includes("40%"),
    request.deployment,
  );
  tell(`deployment ${(await deployment.locator("p").first().textContent()).replace(/\s+/g, " ")}`);

  // Deleted in another tab meanwhile, the alias is gone when this page deletes it too.
  const other = await page.context().newPage();
  other.setDefaultTimeout(STEP_TIMEOUT);
  watchRequests(other);
  await other.goto(modelUrl);
  await other.locator('li.alias[data-alias="production"] button[value="delete"]').click();
  await other.waitForSelector('li.alias[data-alias="production"]', { state: "detached" });
  await other.close();
  const production = page.locator('li.alias[data-alias="production"]');
  await production.locator('button[value="delete"]').click();
  await production.locator("[role=alert]").waitFor();
  tell(`deleted twice ${await production.locator("[role=alert]").textContent()}`);

  await page.locator('input[name="recipe"]').fill("reranker");
  await page.locator('input[name="epochs"]').fill("5000");
  await page.locator('form:has(input[name="recipe"]) button[type="submit"]').click();
  await page.waitForURL(/\/jobs\/[^/]+$/);
  await page.evaluate(() => {
    window.notReloaded = true;
  });
  await page.waitForSelector("#cancel-job-button");
  const first = await page.locator("#job-state").textContent();
  await axe(page, "job");
  await page.click("#cancel-job-button");
  await page.waitForSelector('#job-state[data-state="cancelled"]');
  await page.waitForFunction(() => document.querySelector("#log-status")?.textContent === "(ended)");
  const kept = await page.evaluate(() => window.notReloaded === true);
  const button = await page.locator("#cancel-job-button").count();
  tell(`cancel ${first} then cancelled${kept ? " without a reload" : " after a reload"}; log ended; cancel button ${button ? "shown" : "gone"}`);
  tell(`job ${page.url().split("/").slice(-3).join("/")}`);
  await page.context().close();

  page = await signedIn(request.user);
  await page.goto(modelUrl);
  tell(`user ${await setAlias(page, "mine", 1)}`);
  tell(`problems: ${JSON.stringify(problems)}`);
} catch (error) {
  // Every form's last answer (errors and confirmations), and whether a submission is still pending.
  const messages = page ? await page.locator("[role=alert], [role=status]").allTextContents().catch(() => []) : [];
  const pending = page ? await page.locator("button[type=submit]:disabled").count().catch(() => 0) : 0;
  console.error(
    `models session failed: ${error.message}; at ${page?.url()} said ${JSON.stringify(messages)} ` +
      `with ${pending} submit button(s) pending; in flight ${JSON.stringify(stillInFlight())}; ` +
      `${JSON.stringify(problems)}; seen so far: ${JSON.stringify(said)}`,
  );
  process.exitCode = 1;
} finally {
  await browser.close();
}
