// Headless Chromium, two people in two browsers on one canvas of the web app (yjs + y-websocket
// over ms_canvas's WebSocket through the edge): the first adds a note, the second sees it and
// drags it, the first sees it move, then moves it with the arrow keys and the second sees that.
// Prints one line per step on stdout, then the problems seen in either browser.
//   node web_app_canvas.mjs '{"chromium": "/usr/bin/chromium", "url": "http://127.0.0.1:8080/",
//     "first": "a@example.com", "second": "b@example.com", "password": "...",
//     "canvas": "spaces/s1/canvases/c1", "deadlineSeconds": 60}'
import { chromium } from "playwright-core";

const request = JSON.parse(process.argv[2]);
const STEP_TIMEOUT = (request.deadlineSeconds ?? 60) * 1000;
const base = request.url.replace(/\/$/, "");
const canvasUrl = `${base}/${request.canvas.replace(/^spaces\/([^/]+)\/canvases\//, "spaces/$1/canvases/")}`;
const problems = [];

const browser = await chromium.launch({
  executablePath: request.chromium,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"],
});

async function person(label, email) {
  const page = await (await browser.newContext()).newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  page.on("pageerror", (error) => problems.push(`${label} page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") {
      problems.push(`${label} console: ${message.text()}`);
    }
  });
  await page.goto(`${base}/sign-in`);
  await page.fill("#email", email);
  await page.fill("#password", request.password);
  await page.click("#sign-in-button");
  await page.waitForURL(/\/spaces$/);
  await page.goto(canvasUrl);
  await page.waitForSelector('#canvas-status[data-state="live"]');
  return page;
}

const note = (page) => page.locator('#canvas-nodes .canvas-node:text-is("Idea")');
const at = async (page) => {
  const box = note(page);
  return [await box.evaluate((element) => element.offsetLeft), await box.evaluate((element) => element.offsetTop)];
};
const placedAt = (page, [x, y]) =>
  page.waitForFunction(
    ([wantX, wantY]) => {
      const box = [...document.querySelectorAll("#canvas-nodes .canvas-node")].find((one) => one.textContent === "Idea");
      return box && box.offsetLeft === wantX && box.offsetTop === wantY;
    },
    [x, y],
  );

let first;
let second;
try {
  first = await person("first", request.first);
  console.log(`first live on "${await first.locator("#canvas-title").textContent()}"`);
  await first.fill("#new-node-label", "Idea");
  await first.click("#add-node-button");
  await note(first).waitFor();

  second = await person("second", request.second);
  await note(second).waitFor();
  await second.evaluate(() => {
    window.notReloaded = true;
  });
  console.log(`second sees "Idea" at ${JSON.stringify(await at(second))}`);

  const box = await note(second).boundingBox();
  await second.mouse.move(box.x + 20, box.y + 20);
  await second.mouse.down();
  await second.mouse.move(box.x + 80, box.y + 60, { steps: 5 });
  await second.mouse.move(box.x + 140, box.y + 100, { steps: 5 });
  await second.mouse.up();
  const dragged = await at(second);
  await placedAt(first, dragged);
  console.log(`second dragged it to ${JSON.stringify(dragged)}; first shows ${JSON.stringify(await at(first))}`);

  await note(first).focus();
  await first.keyboard.press("ArrowRight");
  await first.keyboard.press("ArrowDown");
  const nudged = await at(first);
  await placedAt(second, nudged);
  const kept = await second.evaluate(() => window.notReloaded === true);
  console.log(
    `first moved it by keys to ${JSON.stringify(nudged)}; second shows ${JSON.stringify(await at(second))}` +
      (kept ? " without a reload" : " after a reload"),
  );
  console.log(`problems: ${JSON.stringify(problems)}`);
} catch (error) {
  const states = [];
  for (const page of [first, second]) {
    states.push(page ? `${page.url()} ${await page.locator("#canvas-status").textContent().catch(() => "?")}` : "-");
  }
  console.error(`canvas session failed: ${error.message}; ${JSON.stringify(states)}; ${JSON.stringify(problems)}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
