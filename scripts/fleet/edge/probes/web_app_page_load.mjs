// What a cold browser pays to open a document, the web app against the classic page, and a Server
// Action's round trip against the same call made directly with grpc-js. Headless Chromium, a new
// context (empty cache) for every load. Prints one JSON object on stdout.
//   node web_app_page_load.mjs '{"chromium": "/usr/bin/chromium", "url": "http://127.0.0.1:8080/",
//     "classic": "http://127.0.0.1:8080/classic", "grpc": "127.0.0.1:8090", "protoRoot": "...",
//     "email": "...", "password": "...", "loads": 5, "calls": 100}'
import grpc from "@grpc/grpc-js";
import protoLoader from "@grpc/proto-loader";
import { chromium } from "playwright-core";

const request = JSON.parse(process.argv[2]);
const base = request.url.replace(/\/$/, "");
const TIMEOUT = 60_000;
const WATCHDOG = setTimeout(() => {
  console.error("page load probe: no result within its deadline");
  process.exit(2);
}, (request.deadlineSeconds ?? 500) * 1000);
const browser = await chromium.launch({
  executablePath: request.chromium,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"],
});

/** JavaScript the page fetched so far: bytes over the wire and once decoded, and the file count. */
const scripts = (page) =>
  page.evaluate(() => {
    const entries = performance
      .getEntriesByType("resource")
      .filter((entry) => entry.initiatorType === "script" || /\.m?js(\?|$)/.test(entry.name));
    return {
      files: entries.length,
      wire: entries.reduce((sum, entry) => sum + entry.encodedBodySize, 0),
      decoded: entries.reduce((sum, entry) => sum + entry.decodedBodySize, 0),
    };
  });

const live = (page) =>
  page.waitForFunction(() => document.querySelector("#document-status")?.textContent?.startsWith("live"), null, {
    timeout: TIMEOUT,
  });

async function newPage(storageState) {
  const context = await browser.newContext(storageState ? { storageState } : {});
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  return { context, page };
}

// Sign up in the app, write a space and a document, keep the session's cookies.
const { context: setup, page } = await newPage();
await page.goto(`${base}/sign-up`);
await page.fill("#email", request.email);
await page.fill("#display-name", "Bench");
await page.fill("#password", request.password);
await page.click("#sign-up-button");
await page.waitForURL(/\/spaces$/);
const user = (await page.locator("#my-user-name").textContent()).trim();
await page.fill("#new-space-name", "Bench space");
await page.click("#create-space-button");
await page.waitForURL(/\/spaces\/[^/]+$/);
await page.fill("#new-document-title", "Bench document");
await page.click("#create-document-button");
await page.waitForURL(/\/documents\/[^/]+$/);
await live(page);
const documentUrl = page.url();
const session = await setup.storageState();
const accessToken = session.cookies.find((cookie) => cookie.name === "knowledge_access")?.value ?? "";

const app = [];
const classic = [];
for (let load = 0; load < request.loads; load++) {
  // The app: the document's own address, signed in (cookies), nothing cached.
  {
    const { context, page: cold } = await newPage(session);
    await cold.goto(documentUrl);
    await live(cold);
    const interactive = await cold.evaluate(() => performance.now());
    app.push({ interactive, ...(await scripts(cold)) });
    await context.close();
  }
  // The classic page: it keeps no session across loads, so it signs in, then opens the space and
  // the document; the sign-in call's own time is taken out.
  {
    const { context, page: cold } = await newPage();
    await cold.goto(request.classic);
    await cold.fill("#email", request.email);
    await cold.fill("#password", request.password);
    await cold.click("#sign-in-button");
    await cold.click('#spaces button:text-is("Bench space")');
    await cold.click('#documents button:text-is("Bench document")');
    await live(cold);
    const measured = await cold.evaluate(() => {
      const login = performance
        .getEntriesByType("resource")
        .find((entry) => entry.name.endsWith("/knowledge.auth.v1.AuthService/Login"));
      return { until: performance.now(), login: login ? login.duration : 0 };
    });
    classic.push({ interactive: measured.until - measured.login, login: measured.login, ...(await scripts(cold)) });
    await context.close();
  }
}

// A Server Action's round trip: opening the bell lists the inbox (inboxAction → ListNotifications),
// timed by the browser from request to response.
const { context: bellContext, page: bell } = await newPage(session);
await bell.goto(`${base}/spaces`);
await bell.waitForSelector('#bell[data-state="live"]');
for (let call = 0; call < request.calls; call++) {
  const answered = bell.waitForResponse(
    (response) => response.request().method() === "POST" && "next-action" in response.request().headers(),
  );
  await bell.click("#bell");
  await answered;
  await bell.click("#bell");
}
// The Server Actions' fetches go to the page's own address (its other fetches carry a query).
const action = await bell.evaluate(() =>
  performance
    .getEntriesByType("resource")
    .filter((entry) => entry.initiatorType === "fetch" && entry.name === location.href)
    .map((entry) => entry.duration),
);
await bellContext.close();
await setup.close();
await browser.close();

// The same call made directly with grpc-js through the edge's gRPC port, as a Server Action does.
const definition = protoLoader.loadSync(["knowledge/notifications/v1/notification_service.proto"], {
  includeDirs: [request.protoRoot],
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
});
const packages = grpc.loadPackageDefinition(definition);
const client = new packages.knowledge.notifications.v1.NotificationService(request.grpc, grpc.credentials.createInsecure());
const metadata = new grpc.Metadata();
metadata.set("authorization", `Bearer ${accessToken}`);
const direct = [];
for (let call = 0; call < request.calls; call++) {
  const started = performance.now();
  await new Promise((resolve, reject) =>
    client.listNotifications({ parent: user, pageSize: 20 }, metadata, { deadline: Date.now() + 5000 }, (error, answer) =>
      error ? reject(error) : resolve(answer),
    ),
  );
  direct.push(performance.now() - started);
}
client.close();
console.log(JSON.stringify({ app, classic, action, direct }));
clearTimeout(WATCHDOG);
