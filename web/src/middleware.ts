// Before every page and Server Action: an access token about to expire is rotated here, once,
// and both the request (so the page renders with it) and the browser's cookies get the new pair.
// Pages of the workspace need a session; without one they go to sign-in.
import { NextResponse, type NextRequest } from "next/server";
import { refreshOnce } from "./api/auth";
import {
  ACCESS_COOKIE,
  REFRESH_COOKIE,
  clearSession,
  isHttps,
  writeTokens,
} from "./api/cookies";
import { PlatformError, Status } from "./api/errors";
import { STREAM_TOKEN_PATH } from "./api/stream_token";
import { needsRefresh } from "./api/tokens";

export const config = {
  runtime: "nodejs",
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};

const SIGNED_IN_ONLY = /^\/(spaces|search|ask)(\/|$)/;

export async function middleware(request: NextRequest): Promise<NextResponse> {
  const access = request.cookies.get(ACCESS_COOKIE)?.value;
  const refresh = request.cookies.get(REFRESH_COOKIE)?.value;
  const secure = isHttps(request.headers.get("x-forwarded-proto"), request.nextUrl.protocol);
  if (refresh && needsRefresh(access)) {
    try {
      const tokens = await refreshOnce(refresh);
      request.cookies.set(ACCESS_COOKIE, tokens.accessToken);
      request.cookies.set(REFRESH_COOKIE, tokens.refreshToken);
      const response = NextResponse.next({ request: { headers: request.headers } });
      writeTokens(response.cookies, tokens, secure);
      return response;
    } catch (error) {
      if (error instanceof PlatformError && error.code === Status.UNAUTHENTICATED) {
        // Revoked or expired session: sign in again (the page's streams, asking for a token,
        // are told so rather than sent to a page).
        const response =
          request.nextUrl.pathname === STREAM_TOKEN_PATH
            ? NextResponse.json({ error: "not signed in" }, { status: 401, headers: { "cache-control": "no-store" } })
            : toSignIn(request);
        clearSession(response.cookies);
        return response;
      }
      // The platform is unreachable: let the page say so with the token it has.
      return NextResponse.next();
    }
  }
  if (!access && SIGNED_IN_ONLY.test(request.nextUrl.pathname)) {
    return toSignIn(request);
  }
  return NextResponse.next();
}

/** To sign-in at the address the browser used (the edge's, not the app server's own). */
function toSignIn(request: NextRequest): NextResponse {
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  const proto = request.headers.get("x-forwarded-proto") ?? "http";
  const base = host ? `${proto}://${host}` : request.nextUrl.origin;
  return NextResponse.redirect(new URL("/sign-in", base));
}
