// Headless Chromium on the local page: register, create a space and a document, write and save it,
// search the word just written until the index has it, then ask the chat panel a question the
// document answers, click the answer's first citation, then ask one nothing answers. Two lines on
// stdout:
//   out "answer <json>"   the status line, the answer's text, how many streamed pieces were shown, the
//                         citations' labels, and, once the first is clicked, the passage shown
//                         (title and text) and the answer's marked span
//   out "unanswered <json>"  the status line and the text for the question nothing answers
//   node chat_page_session.mjs '{"chromium": "/usr/bin/chromium", "url": "http://127.0.0.1:8080/",
//     "email": "...", "password": "...", "spaceName": "...", "title": "...", "content": "...",
//     "word": "...", "question": "...", "unanswerable": "...", "deadlineSeconds": 60}'
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
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

/** Search `query` with the search box; how many hits mark it once the answer is shown. */
async function markedHits(page, query) {
  await page.fill("#search-query", query);
  await page.click("#search-button");
  await page.waitForFunction(
    () => document.querySelector("#search-status")?.textContent !== "searching…",
  );
  return page.$$eval(
    ".search-hit mark",
    (marks, word) => marks.filter((mark) => mark.textContent.toLowerCase() === word).length,
    query,
  );
}

/** Ask the chat panel `question`; returns once the stored answer (or the error) is shown. */
async function ask(page, question) {
  await page.fill("#chat-question", question);
  await page.click("#chat-button");
  await page.waitForFunction(() =>
    ["complete", "no-answer", "stopped", "failed", "error"].includes(
      document.querySelector("#chat-status")?.dataset.status ?? "",
    ),
  );
}

try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(STEP_TIMEOUT);
  page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
  await page.goto(request.url);
  await page.fill("#email", request.email);
  await page.fill("#password", request.password);
  await page.click("#sign-in-button");
  await page.fill("#new-space-name", request.spaceName);
  await page.click('#new-space-form button[type="submit"]');
  await page.locator(`#spaces button:text-is("${request.spaceName}")`).waitFor();
  await page.fill("#new-document-title", request.title);
  await page.click('#new-document-form button[type="submit"]');
  await page.waitForFunction(
    () => document.querySelector("#document-status")?.textContent?.startsWith("live"),
  );
  await page.fill("#document-content", request.content);
  await page.click("#save-button");
  await page.waitForFunction(
    () => document.querySelector("#save-status")?.textContent?.startsWith("saved"),
  );

  // Indexing follows the saved revision within seconds: ask once the search box finds it.
  const deadline = Date.now() + request.deadlineSeconds * 1000;
  while ((await markedHits(page, request.word)) === 0) {
    if (Date.now() > deadline) {
      throw new Error(`"${request.word}" not searchable within ${request.deadlineSeconds}s`);
    }
    await page.waitForTimeout(RETRY_PAUSE);
  }

  await ask(page, request.question);
  const shown = await page.evaluate(() => ({
    status: document.querySelector("#chat-status").textContent,
    text: document.querySelector("#chat-answer").textContent,
    pieces: Number(document.querySelector("#chat-answer").dataset.pieces),
    citations: Array.from(document.querySelectorAll("#chat-citations a"), (a) => a.textContent),
  }));
  if (shown.citations.length > 0) {
    await page.click("#chat-citations a >> nth=0");
    await page.locator("#chat-passage").waitFor();
    Object.assign(shown, await page.evaluate(() => ({
      passageTitle: document.querySelector("#chat-passage-title").textContent,
      passageText: document.querySelector("#chat-passage-text").textContent,
      marked: Array.from(document.querySelectorAll("#chat-answer mark"), (m) => m.textContent),
      textAfterClick: document.querySelector("#chat-answer").textContent,
    })));
  }
  console.log(`answer ${JSON.stringify(shown)}`);
  await ask(page, request.unanswerable);
  const unanswered = await page.evaluate(() => ({
    status: document.querySelector("#chat-status").textContent,
    text: document.querySelector("#chat-answer").textContent,
    citations: document.querySelectorAll("#chat-citations a").length,
  }));
  console.log(`unanswered ${JSON.stringify(unanswered)}`);
} catch (error) {
  const page = context.pages()[0];
  const shown = async (selector) => (page ? await page.locator(selector).textContent() : "");
  console.error(
    `chat session failed: ${error.message}; the page said: ` +
      `chat "${await shown("#chat-status")}", search "${await shown("#search-status")}", ` +
      `error "${await shown("#error")}"`,
  );
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
