// Headless Chromium on the web app (Next.js behind the edge): two people in two browsers sign up,
// the first creates a space, adds the second as an editor and writes a document; the second opens
// it and sees each later edit arrive without a reload; a save over a newer revision is refused
// with a reload offer; a restored revision reaches both; words typed during a save stay; a third
// person, a viewer, is told who may save; an expired access token is rotated unseen; signing out
// ends the session.
// Prints one line per step on stdout:
//   node web_app_session.mjs '{"chromium": "/usr/bin/chromium", "url": "http://127.0.0.1:8080/",
//     "first": "a@example.com", "second": "b@example.com", "third": "c@example.com",
//     "password": "...", "spaceName": "..."}'
import { chromium } from "playwright-core";

const request = JSON.parse(process.argv[2]);
const STEP_TIMEOUT = 30_000;
const base = request.url.replace(/\/$/, "");
const problems = [];

const browser = await chromium.launch({
  executablePath: request.chromium,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"],
});

async function person(label) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  page.on("pageerror", (error) => problems.push(`${label} page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") {
      problems.push(`${label} console: ${message.text()} (${message.location().url})`);
    }
  });
  page.on("response", (response) => {
    if (response.status() >= 400) {
      problems.push(`${label}: ${response.status()} from ${new URL(response.url()).pathname}`);
    }
  });
  return { context, page };
}

async function signUp(page, email, name) {
  await page.goto(`${base}/sign-up`);
  await page.fill("#email", email);
  await page.fill("#display-name", name);
  await page.fill("#password", request.password);
  await page.click("#sign-up-button");
  await page.waitForURL(/\/spaces$/);
}

// Saves `content` and waits for this save's answer (the status names a revision it did not name
// before, and the button is no longer busy), as a person waits for "saved" before going on.
async function save(page, content) {
  const before = await page.locator("#save-status").textContent();
  await page.fill("#document-content", content);
  await page.click("#save-button");
  await page.waitForFunction((before) => {
    const status = document.querySelector("#save-status")?.textContent ?? "";
    const busy = document.querySelector("#save-button")?.textContent !== "Save";
    return /^saved revision/.test(status) && status !== before && !busy;
  }, before);
  return page.locator("#save-status").textContent();
}

const first = await person("first");
const second = await person("second");
try {
  await signUp(second.page, request.second, "Second");
  const secondUser = (await second.page.locator("#my-user-name").textContent()).trim();
  const scriptCookies = await second.page.evaluate(() => document.cookie);
  const cookies = await second.context.cookies();
  const refresh = cookies.find((cookie) => cookie.name === "knowledge_refresh");
  console.log(
    `second signed up; scripts see ${JSON.stringify(scriptCookies)}; refresh cookie ` +
      `${refresh ? `httpOnly=${refresh.httpOnly} sameSite=${refresh.sameSite}` : "missing"}`,
  );

  await signUp(first.page, request.first, "First");
  await first.page.fill("#new-space-name", request.spaceName);
  await first.page.click("#create-space-button");
  await first.page.waitForURL(/\/spaces\/[^/]+$/);
  console.log(`space ${JSON.stringify(await first.page.locator("#space-title").textContent())} created`);

  await first.page.fill("#invite-user", secondUser);
  await first.page.selectOption("#invite-role", "editor");
  await first.page.click("#invite-button");
  await first.page.waitForSelector("#invite-message");
  const invited = await first.page.locator("#invite-message").textContent();
  console.log(`invited: ${invited.replace(secondUser, "<second>")}`);

  await first.page.fill("#new-document-title", "Plan");
  await first.page.click("#create-document-button");
  await first.page.waitForURL(/\/documents\/[^/]+$/);
  await first.page.waitForFunction(
    () => document.querySelector("#document-status")?.textContent?.startsWith("live"),
  );
  console.log(`first ${await save(first.page, "first words")}`);
  const documentUrl = first.page.url();

  await second.page.goto(`${base}/spaces`);
  await second.page.click(`#spaces a:text-is("${request.spaceName}")`);
  await second.page.click('#documents a:text-is("Plan")');
  await second.page.waitForFunction(
    () => document.querySelector("#document-status")?.textContent?.startsWith("live"),
  );
  await second.page.evaluate(() => {
    window.notReloaded = true;
  });
  console.log(`second opened ${JSON.stringify(await second.page.locator("#document-content").inputValue())}`);

  await save(first.page, "written in the first browser");
  await second.page.waitForFunction(
    () => document.querySelector("#document-content")?.value === "written in the first browser",
  );
  const kept = await second.page.evaluate(() => window.notReloaded === true);
  console.log(`second shows "written in the first browser" live${kept ? " without a reload" : " after a reload"}`);

  await second.page.fill("#document-content", "typed in the second browser");
  await save(first.page, "saved again in the first browser");
  await second.page.waitForSelector("#document-notice");
  await second.page.click("#save-button");
  await second.page.waitForFunction(() =>
    document.querySelector("#document-notice")?.textContent?.includes("Someone else saved"),
  );
  console.log(`second told: ${await second.page.locator("#document-notice span").textContent()}`);
  await second.page.click("#reload-button");
  await second.page.waitForSelector("#document-notice", { state: "detached" });
  console.log(`second reloaded ${JSON.stringify(await second.page.locator("#document-content").inputValue())}`);

  await first.page.goto(documentUrl);
  await first.page.click('button[aria-label="Restore revision 2"]');
  await first.page.waitForFunction(() =>
    document.querySelector("#save-status")?.textContent?.startsWith("restored revision 2"),
  );
  await second.page.waitForFunction(() => document.querySelector("#document-content")?.value === "first words");
  console.log(`restored revision 2; second shows ${JSON.stringify(await second.page.locator("#document-content").inputValue())}`);

  // Words typed while a save is on its way (its Server Action held back a second) stay on the
  // page as unsaved changes; the save's answer does not overwrite them.
  const holdBack = async (route) => {
    if (route.request().method() === "POST") await new Promise((done) => setTimeout(done, 1_000));
    await route.continue();
  };
  await first.page.route(documentUrl, holdBack);
  await first.page.fill("#document-content", "saved while typing");
  await first.page.click("#save-button");
  await first.page.waitForSelector('#save-button:text-is("Saving…")');
  await first.page.type("#document-content", ", and more");
  await first.page.waitForSelector('#save-button:text-is("Save")');
  await first.page.unroute(documentUrl, holdBack);
  console.log(
    `first typed on during a save: ${await first.page.locator("#save-status").textContent()}, ` +
      `the page keeps ${JSON.stringify(await first.page.locator("#document-content").inputValue())}`,
  );

  // A viewer may read and follow the document; saving is refused with who may do what.
  const third = await person("third");
  await signUp(third.page, request.third, "Third");
  const thirdUser = (await third.page.locator("#my-user-name").textContent()).trim();
  await first.page.goto(documentUrl.replace(/\/documents\/[^/]+$/, ""));
  await first.page.fill("#invite-user", thirdUser);
  await first.page.selectOption("#invite-role", "viewer");
  await first.page.click("#invite-button");
  await first.page.waitForSelector("#invite-message");
  await third.page.goto(documentUrl);
  await third.page.waitForFunction(
    () => document.querySelector("#document-status")?.textContent?.startsWith("live"),
  );
  await third.page.fill("#document-content", "a viewer's edit");
  await third.page.click("#save-button");
  await third.page.waitForSelector("#document-notice");
  console.log(`viewer told: ${await third.page.locator("#document-notice span").textContent()}`);
  await third.context.close();
  const membership = first.page.locator(`form[aria-label="Membership of ${thirdUser}"]`);
  await membership.locator("select").selectOption("editor");
  await membership.locator('button[value="role"]').click();
  await first.page.waitForSelector('[role=status]:text-is("Now editor.")');
  await first.page.locator(`form[aria-label="Membership of ${thirdUser}"] button[value="remove"]`).click();
  await first.page.waitForFunction(
    (user) => !document.querySelector(`form[aria-label="Membership of ${user}"]`),
    thirdUser,
  );
  console.log(`third made an editor, then removed; members: ${await first.page.locator("#members > li").count()}`);

  // An access token past its expiry is rotated on the next page, unseen by the person.
  const before = (await second.context.cookies()).find((cookie) => cookie.name === "knowledge_refresh");
  const expired = `e30.${Buffer.from(JSON.stringify({ exp: 1 })).toString("base64url")}.e30`;
  await second.context.addCookies([{ name: "knowledge_access", value: expired, url: base }]);
  await second.page.goto(`${base}/spaces`);
  await second.page.waitForSelector(`#spaces a:text-is("${request.spaceName}")`);
  const after = (await second.context.cookies()).find((cookie) => cookie.name === "knowledge_refresh");
  console.log(`second's expired token rotated: ${after.value !== before.value ? "a new refresh token" : "the same refresh token"}`);

  const revoked = (await first.context.cookies()).find((cookie) => cookie.name === "knowledge_refresh");
  await first.page.click("#sign-out-button");
  await first.page.waitForURL(/\/sign-in$/);
  await first.page.goto(`${base}/spaces`);
  await first.page.waitForURL(/\/sign-in$/);
  console.log("first signed out: the spaces page sends them to sign in");
  console.log(`signed out with ${JSON.stringify(revoked.value)}`);
  console.log(`problems: ${JSON.stringify(problems)}`);
} catch (error) {
  const shown = async (page, selector) =>
    (await page.locator(selector).count()) ? await page.locator(selector).first().textContent() : "";
  console.error(
    `web app session failed: ${error.message}; first at ${first.page.url()} said ` +
      `"${await shown(first.page, "[role=alert]")}", second at ${second.page.url()} said ` +
      `"${await shown(second.page, "[role=alert]")}"; ${JSON.stringify(problems)}`,
  );
  process.exitCode = 1;
} finally {
  await browser.close();
}
