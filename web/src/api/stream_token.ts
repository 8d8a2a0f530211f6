// In the browser: the access token the page's streams present, from the app's own route
// (rotated there when due); undefined when the session is over.
export const STREAM_TOKEN_PATH = "/session/stream-token";

export async function streamToken(): Promise<string | undefined> {
  const response = await fetch(STREAM_TOKEN_PATH, { method: "POST", cache: "no-store", credentials: "same-origin" });
  if (response.status === 401) {
    return undefined;
  }
  if (!response.ok) {
    throw new Error(`the app did not give a stream token (HTTP ${response.status})`);
  }
  const body = (await response.json()) as { token?: unknown };
  return typeof body.token === "string" ? body.token : undefined;
}
