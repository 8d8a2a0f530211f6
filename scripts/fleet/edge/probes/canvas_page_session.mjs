// Headless Chromium with two pages of the local page, signed in as the same person: the first
// creates a canvas, the second opens it from the list; each adds a node the other shows without a
// reload, and the first drags its node, which the second shows moved. One line per step on stdout.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const request = JSON.parse(process.argv[2]);
const profile = mkdtempSync(join(tmpdir(), "fleet-chromium-"));
const STEP_TIMEOUT = 30_000;
const context = await chromium.launchPersistentContext(profile, {
  executablePath: request.chromium,
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const pages = [];

async function signedInPage() {
  const page = await context.newPage();
  pages.push(page);
  page.setDefaultTimeout(STEP_TIMEOUT);
  page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
  await page.goto(request.url);
  await page.fill("#email", request.email);
  await page.fill("#password", request.password);
  await page.click("#sign-in-button");
  await page.click(`#spaces button:text-is("${request.spaceName}")`);
  return page;
}

const live = (page) => page.waitForFunction(
  () => document.querySelector("#canvas-status")?.textContent === "live",
);
const node = (page, label) => page.locator(`#canvas-nodes .canvas-node:text-is("${label}")`);

async function addNode(page, label) {
  await page.fill("#new-node-label", label);
  await page.click("#add-node-button");
}

try {
  const first = await signedInPage();
  await first.fill("#new-canvas-title", request.canvasTitle);
  await first.click('#new-canvas-form button[type="submit"]');
  await live(first);
  const title = await first.locator("#canvas-title").textContent();
  const count = await first.locator("#canvas-nodes .canvas-node").count();
  console.log(`opened ${JSON.stringify(title)} live with ${count === 0 ? "no" : count} nodes`);

  const second = await signedInPage();
  await second.click(`#canvases button:text-is("${request.canvasTitle}")`);
  await live(second);
  console.log(`second page opened ${JSON.stringify(await second.locator("#canvas-title").textContent())} from the list`);

  await addNode(second, request.secondPageNode);
  await node(first, request.secondPageNode).waitFor();
  console.log(`first page shows ${JSON.stringify(request.secondPageNode)}`);

  await addNode(first, request.firstPageNode);
  await node(second, request.firstPageNode).waitFor();
  console.log(`second page shows ${JSON.stringify(request.firstPageNode)}`);

  const mine = node(first, request.firstPageNode);
  const place = (locator) => locator.evaluate((box) => ({ left: box.offsetLeft, top: box.offsetTop }));
  const start = await place(mine);
  // Dragged where a person would: in view (the views above it may push it below the fold).
  await mine.scrollIntoViewIfNeeded();
  const box = await mine.boundingBox();
  await first.mouse.move(box.x + 10, box.y + 10);
  await first.mouse.down();
  await first.mouse.move(box.x + 90, box.y + 50, { steps: 4 });
  await first.mouse.move(box.x + 160, box.y + 90, { steps: 4 });
  await first.mouse.up();
  const end = await place(mine);
  await second.waitForFunction(
    ([label, left, top]) => [...document.querySelectorAll("#canvas-nodes .canvas-node")].some(
      (box) => box.textContent === label && box.offsetLeft === left && box.offsetTop === top),
    [request.firstPageNode, end.left, end.top],
  );
  const space = await first.evaluate(() => document.querySelector("#spaces button[aria-current=true]")?.dataset.name);
  console.log(`second page shows the move to ${JSON.stringify({ ...end, startLeft: start.left, startTop: start.top, space })}`);
} catch (error) {
  const said = [];
  for (const page of pages) {
    said.push(`status "${await page.locator("#canvas-status").textContent()}", error "${await page.locator("#error").textContent()}"`);
  }
  console.error(`canvas session failed: ${error.message}; the pages said: ${said.join("; ")}`);
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
