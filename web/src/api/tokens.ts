// Reading an access token's expiry without verifying it: the services verify every token; the app
// only needs to know when to refresh.

/** Seconds since the epoch at which `jwt` expires; 0 when it cannot be read. */
export function expiresAt(jwt: string): number {
  const payload = jwt.split(".")[1];
  if (!payload) {
    return 0;
  }
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    if (typeof claims === "object" && claims !== null && "exp" in claims) {
      const exp = (claims as { exp: unknown }).exp;
      return typeof exp === "number" ? exp : 0;
    }
  } catch {
    return 0;
  }
  return 0;
}

/** Whether `jwt` is missing or expires within `marginSeconds`. */
export function needsRefresh(jwt: string | undefined, marginSeconds = 60): boolean {
  return !jwt || expiresAt(jwt) - marginSeconds <= Date.now() / 1000;
}
