// The session in cookies: the access and refresh tokens, httpOnly (scripts on the page never read
// them), SameSite=Lax, Secure when the app is served over https. Only the server reads them.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { TokenPair } from "@knowledge/protos/knowledge/auth/v1/session_pb";
import type { User } from "@knowledge/protos/knowledge/auth/v1/user_pb";

export const ACCESS_COOKIE = "knowledge_access";
export const REFRESH_COOKIE = "knowledge_refresh";
export const USER_COOKIE = "knowledge_user";

export interface CookieOptions {
  httpOnly: boolean;
  secure: boolean;
  sameSite: "lax";
  path: string;
  expires?: Date;
}

/** What both `cookies()` in a Server Action and a middleware response can do. */
export interface CookieJar {
  set(name: string, value: string, options: CookieOptions): unknown;
  delete(name: string): unknown;
}

/** Who is signed in, as the header shows it; not a credential. */
export interface Me {
  name: string;
  email: string;
  displayName: string;
}

export function isHttps(forwardedProto: string | null, protocol: string | undefined): boolean {
  return forwardedProto === "https" || protocol === "https:";
}

function options(secure: boolean, expires?: Date): CookieOptions {
  return { httpOnly: true, secure, sameSite: "lax", path: "/", ...(expires ? { expires } : {}) };
}

export function writeTokens(jar: CookieJar, tokens: TokenPair, secure: boolean): void {
  const refreshExpires = tokens.refreshTokenExpireTime
    ? timestampDate(tokens.refreshTokenExpireTime)
    : undefined;
  // The access cookie lives as long as the session: an expired access token is refreshed, and
  // without the cookie a request could not tell "signed out" from "refresh due".
  jar.set(ACCESS_COOKIE, tokens.accessToken, options(secure, refreshExpires));
  jar.set(REFRESH_COOKIE, tokens.refreshToken, options(secure, refreshExpires));
}

export function writeMe(jar: CookieJar, user: User, tokens: TokenPair, secure: boolean): void {
  const me: Me = { name: user.name, email: user.email, displayName: user.displayName };
  const expires = tokens.refreshTokenExpireTime
    ? timestampDate(tokens.refreshTokenExpireTime)
    : undefined;
  jar.set(USER_COOKIE, encodeURIComponent(JSON.stringify(me)), options(secure, expires));
}

export function clearSession(jar: CookieJar): void {
  for (const name of [ACCESS_COOKIE, REFRESH_COOKIE, USER_COOKIE]) {
    jar.delete(name);
  }
}

export function readMe(value: string | undefined): Me | null {
  if (!value) {
    return null;
  }
  try {
    const parsed: unknown = JSON.parse(decodeURIComponent(value));
    if (typeof parsed === "object" && parsed !== null && "name" in parsed && "email" in parsed) {
      return parsed as Me;
    }
  } catch {
    return null;
  }
  return null;
}
