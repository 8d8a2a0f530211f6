// Headless Chromium on the web app: a person signs up, writes a document, finds it with the
// search page (ms_vector, through a Server Component), opens the passage a hit shows, asks the
// Ask page a question the document answers (ms_chat's answer streamed over gRPC-web) and opens
// the passage its citation cites. Prints one JSON line per step on stdout:
//   node web_app_ask_session.mjs '{"chromium": "/usr/bin/chromium", "url": "http://127.0.0.1:8080/",
//     "email": "...", "password": "...", "spaceName": "...", "title": "...", "content": "...",
//     "word": "...", "question": "...", "deadlineSeconds": 60}'
import { chromium } from "playwright-core";

const request = JSON.parse(process.argv[2]);
const STEP_TIMEOUT = 30_000;
const base = request.url.replace(/\/$/, "");
const deadline = Date.now() + request.deadlineSeconds * 1000;
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
    problems.push(`console: ${message.text()} (${message.location().url})`);
  }
});
page.on("response", (response) => {
  if (response.status() >= 400) {
    problems.push(`${response.status()} from ${new URL(response.url()).pathname}`);
  }
});
const texts = (selector) => page.locator(selector).allTextContents();

try {
  await page.goto(`${base}/sign-up`);
  await page.fill("#email", request.email);
  await page.fill("#password", request.password);
  await page.click("#sign-up-button");
  await page.waitForURL(/\/spaces$/);
  await page.fill("#new-space-name", request.spaceName);
  await page.click("#create-space-button");
  await page.waitForURL(/\/spaces\/[^/]+$/);
  await page.fill("#new-document-title", request.title);
  await page.click("#create-document-button");
  await page.waitForURL(/\/documents\/[^/]+$/);
  await page.fill("#document-content", request.content);
  await page.click("#save-button");
  await page.waitForFunction(() => /^saved/.test(document.querySelector("#save-status")?.textContent ?? ""));

  // A saved edit is indexed from the broker's events within seconds: search until it is found.
  let hits = 0;
  while (!hits && Date.now() < deadline) {
    await page.goto(`${base}/search?q=${encodeURIComponent(request.word)}&mode=lexical`);
    hits = await page.locator("#search-results li").count();
    if (!hits) {
      await page.waitForTimeout(1000);
    }
  }
  const hit = page.locator("#search-results li").first();
  console.log(
    `search ${JSON.stringify({ title: await hit.locator("a").textContent(), marked: await texts("#search-results li:first-child mark") })}`,
  );
  await hit.locator("a").click();
  await page.waitForSelector("#opened-passage");
  console.log(`search opened ${JSON.stringify({ marked: await texts("#opened-passage mark") })}`);

  let ended = "";
  while (Date.now() < deadline) {
    await page.goto(`${base}/ask`);
    await page.fill("#chat-question", request.question);
    await page.click("#chat-ask-button");
    await page.waitForFunction(
      () => !["asking", undefined].includes(document.querySelector("#chat-status")?.dataset.status),
      undefined,
      { timeout: 60_000 },
    );
    ended = await page.locator("#chat-status").getAttribute("data-status");
    if (ended !== "no-answer") {
      break;
    }
    await page.waitForTimeout(1000);
  }
  const citations = await texts("#chat-citations li a");
  console.log(
    `answer ${JSON.stringify({ status: await page.locator("#chat-status").textContent(), text: await page.locator("#chat-answer").textContent(), citations })}`,
  );
  await page.locator("#chat-citations li a").first().focus();
  const supported = await texts("#chat-answer mark");
  await page.locator("#chat-citations li a").first().click();
  await page.waitForSelector("#opened-passage");
  console.log(
    `citation opened ${JSON.stringify({ supported, marked: (await texts("#opened-passage mark")).join("") })}`,
  );
  console.log(`problems ${JSON.stringify(problems)}`);
} catch (error) {
  const alert = page.locator("[role=alert]");
  console.error(
    `ask session failed: ${error.message} at ${page.url()}; the page said ` +
      `"${(await alert.count()) ? await alert.first().textContent() : ""}" / ` +
      `"${(await page.locator("#chat-status").count()) ? await page.locator("#chat-status").textContent() : ""}"; ` +
      JSON.stringify(problems),
  );
  process.exitCode = 1;
} finally {
  await browser.close();
}
