// Headless Chromium on the local page: register, create a space and a document, write and save it,
// then use the search box: a blank query, the word just written (searched again until the index
// has it), and by words only a word nobody wrote. One line per step on stdout:
//   out "error <status>"    what the page says when the search is refused
//   out "hits <json>"       the hits shown: title, path, score, text and the marked spans
//   out "empty <status>"    what the page says when nothing matches
//   node search_page_session.mjs '{"chromium": "/usr/bin/chromium", "url": "http://127.0.0.1:8080/",
//     "email": "...", "password": "...", "spaceName": "...", "title": "...", "content": "...",
//     "word": "...", "absentWord": "...", "deadlineSeconds": 60}'
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

/** Search `query` on the page in `mode` (an option of #search-mode); the status line once the
 * answer (or the error) is shown. */
async function search(page, query, mode = "hybrid") {
  await page.fill("#search-query", query);
  await page.selectOption("#search-mode", mode);
  await page.click("#search-button");
  await page.waitForFunction(
    () => document.querySelector("#search-status")?.textContent !== "searching…",
  );
  return page.locator("#search-status").textContent();
}

const shownHits = (page) => page.$$eval(".search-hit", (items) => items.map((item) => ({
  document: item.dataset.document,
  title: item.querySelector(".hit-title")?.textContent,
  path: item.querySelector(".hit-path")?.textContent,
  score: item.querySelector(".hit-score")?.textContent,
  text: item.querySelector(".hit-text")?.textContent,
  marked: Array.from(item.querySelectorAll(".hit-text mark"), (mark) => mark.textContent),
})));

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

  console.log(`error ${await search(page, "   ")}`);

  // Indexing follows the saved revision within seconds; until then the word is not marked.
  const deadline = Date.now() + request.deadlineSeconds * 1000;
  const marksWord = (hit) => hit.marked.some((text) => text.toLowerCase() === request.word);
  await search(page, request.word);
  let hits = await shownHits(page);
  while (!hits.some(marksWord)) {
    if (Date.now() > deadline) {
      throw new Error(`"${request.word}" not marked within ${request.deadlineSeconds}s`);
    }
    await page.waitForTimeout(RETRY_PAUSE);
    await search(page, request.word);
    hits = await shownHits(page);
  }
  console.log(`hits ${JSON.stringify(hits)}`);
  console.log(`empty ${await search(page, request.absentWord, "lexical")}`);
  const shownAfterEmpty = await shownHits(page);
  if (shownAfterEmpty.length !== 0) {
    throw new Error(`an empty answer left ${shownAfterEmpty.length} hits shown`);
  }
} catch (error) {
  const page = context.pages()[0];
  const shown = async (selector) => (page ? await page.locator(selector).textContent() : "");
  console.error(
    `search session failed: ${error.message}; the page said: ` +
      `search "${await shown("#search-status")}", error "${await shown("#error")}"`,
  );
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
