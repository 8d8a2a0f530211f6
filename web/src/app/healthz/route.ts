// The release's probes: the Node server is up and serving. Calls nothing else, so a slow or
// restarting service never takes the app's pods out of rotation (its pages say so themselves).
export const dynamic = "force-dynamic";

export function GET(): Response {
  return new Response("ok\n", {
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}
