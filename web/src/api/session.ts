// The signed-in user on the server: their token for each call, refreshed (rotated) transparently.
// Server Components read the cookies the middleware keeps fresh; Server Actions may also refresh
// and write them. The refresh token never leaves the server.
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { refreshOnce } from "./auth";
import {
  ACCESS_COOKIE,
  REFRESH_COOKIE,
  USER_COOKIE,
  isHttps,
  readMe,
  writeTokens,
  type Me,
} from "./cookies";
import { PlatformError, Status } from "./errors";

export async function currentMe(): Promise<Me | null> {
  return readMe((await cookies()).get(USER_COOKIE)?.value);
}

export async function servedOverHttps(): Promise<boolean> {
  return isHttps((await headers()).get("x-forwarded-proto"), undefined);
}

/** The current access token, for the browser's own gRPC-web streams (short-lived by design). */
export async function currentAccessToken(): Promise<string | undefined> {
  return (await cookies()).get(ACCESS_COOKIE)?.value;
}

/** In a Server Component: the token, or off to sign-in. */
export async function tokenOrSignIn(): Promise<string> {
  const token = await currentAccessToken();
  if (!token) {
    redirect("/sign-in");
  }
  return token;
}

/**
 * In a Server Action: run `call` with the user's access token; when the services answer
 * UNAUTHENTICATED (the token expired meanwhile), rotate the tokens, store them and call again.
 */
export async function asUser<T>(call: (token: string) => Promise<T>): Promise<T> {
  const jar = await cookies();
  const token = jar.get(ACCESS_COOKIE)?.value;
  if (token) {
    try {
      return await call(token);
    } catch (error) {
      if (!(error instanceof PlatformError) || error.code !== Status.UNAUTHENTICATED) {
        throw error;
      }
    }
  }
  const refreshToken = jar.get(REFRESH_COOKIE)?.value;
  if (!refreshToken) {
    throw new PlatformError(Status.UNAUTHENTICATED, "not signed in", "session");
  }
  const tokens = await refreshOnce(refreshToken);
  writeTokens(jar, tokens, await servedOverHttps());
  return call(tokens.accessToken);
}
