// ms_auth from the server: registration, login, refresh (rotation) and logout over grpc-js.
import { AuthService } from "@knowledge/protos/knowledge/auth/v1/auth_service_pb";
import type { TokenPair } from "@knowledge/protos/knowledge/auth/v1/session_pb";
import type { User } from "@knowledge/protos/knowledge/auth/v1/user_pb";
import { PlatformError, Status } from "./errors";
import { unary } from "./grpc";

export interface SignedIn {
  user: User;
  tokens: TokenPair;
}

export async function register(
  email: string,
  password: string,
  displayName: string,
  userAgent: string,
): Promise<SignedIn> {
  const answer = await unary(AuthService.method.register, { email, password, displayName, userAgent });
  return signedIn(answer.user, answer.tokens, "Register");
}

export async function login(email: string, password: string, userAgent: string): Promise<SignedIn> {
  const answer = await unary(AuthService.method.login, { email, password, userAgent });
  return signedIn(answer.user, answer.tokens, "Login");
}

/** Revokes the session the refresh token belongs to. */
export async function logout(refreshToken: string): Promise<void> {
  await unary(AuthService.method.logout, { refreshToken });
}

interface Flight {
  started: number;
  tokens: Promise<TokenPair>;
}
const REMEMBER_MS = 30_000;
const shared = globalThis as typeof globalThis & { __knowledgeRefreshes?: Map<string, Flight> };

/**
 * The next token pair for `refreshToken`. Refresh tokens rotate and a reused one revokes the whole
 * session, so requests that arrive together with the same refresh token (a page and its
 * prefetches) share one RefreshToken call and its answer.
 */
export function refreshOnce(refreshToken: string): Promise<TokenPair> {
  const flights = (shared.__knowledgeRefreshes ??= new Map());
  const now = Date.now();
  for (const [token, flight] of flights) {
    if (now - flight.started > REMEMBER_MS) {
      flights.delete(token);
    }
  }
  let flight = flights.get(refreshToken);
  if (!flight) {
    const tokens = unary(AuthService.method.refreshToken, { refreshToken }).then((answer) => {
      if (!answer.tokens) {
        throw new PlatformError(Status.UNKNOWN, "no tokens in the answer", "RefreshToken");
      }
      return answer.tokens;
    });
    flight = { started: now, tokens };
    flights.set(refreshToken, flight);
  }
  return flight.tokens;
}

function signedIn(user: User | undefined, tokens: TokenPair | undefined, method: string): SignedIn {
  if (!user || !tokens) {
    throw new PlatformError(Status.UNKNOWN, "the answer had no user or tokens", method);
  }
  return { user, tokens };
}
