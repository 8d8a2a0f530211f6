// The page's own streams (gRPC-web, WebSockets) ask here for the access token they present. The
// middleware, which runs before every request, has already rotated it when it was about to
// expire. A route handler, not a Server Action: Server Actions run one at a time in the router's
// queue, and a token read on every mount would queue behind (or be discarded by) the user's own
// actions and navigations. Only the page's own origin may ask; the refresh token stays in its
// httpOnly cookie.
import { currentAccessToken } from "@/api/session";

export const dynamic = "force-dynamic";

const NO_STORE = { "cache-control": "no-store" };

export async function POST(request: Request): Promise<Response> {
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin") {
    return Response.json({ error: "only the app's own pages may ask for a stream token" }, { status: 403, headers: NO_STORE });
  }
  const token = await currentAccessToken();
  if (!token) {
    return Response.json({ error: "not signed in" }, { status: 401, headers: NO_STORE });
  }
  return Response.json({ token }, { headers: NO_STORE });
}
