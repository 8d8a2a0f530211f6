"use server";
// Signing in, up and out. The tokens go into httpOnly cookies here and never reach the page.
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { login, logout, register, type SignedIn } from "@/api/auth";
import { REFRESH_COOKIE, clearSession, writeMe, writeTokens } from "@/api/cookies";
import { PlatformError, Status } from "@/api/errors";
import { servedOverHttps } from "@/api/session";
import { failed, text, type FormState } from "./result";

async function remember(signedIn: SignedIn): Promise<void> {
  const jar = await cookies();
  const secure = await servedOverHttps();
  writeTokens(jar, signedIn.tokens, secure);
  writeMe(jar, signedIn.user, signedIn.tokens, secure);
}

async function userAgent(): Promise<string> {
  return (await headers()).get("user-agent")?.slice(0, 200) ?? "";
}

export async function signIn(_: FormState, form: FormData): Promise<FormState> {
  const email = text(form, "email");
  const password = form.get("password");
  if (!email || typeof password !== "string" || !password) {
    return { error: "Enter your email and password." };
  }
  try {
    await remember(await login(email, password, await userAgent()));
  } catch (error) {
    if (error instanceof PlatformError && error.code === Status.UNAUTHENTICATED) {
      return { error: "Wrong email or password.", problem: "signed-out" };
    }
    return failed(error, "signing in");
  }
  redirect("/spaces");
}

export async function signUp(_: FormState, form: FormData): Promise<FormState> {
  const email = text(form, "email");
  const displayName = text(form, "displayName") || email.split("@")[0] || "";
  const password = form.get("password");
  if (!email || typeof password !== "string" || !password) {
    return { error: "Enter an email and a password." };
  }
  try {
    await remember(await register(email, password, displayName, await userAgent()));
  } catch (error) {
    if (error instanceof PlatformError && error.code === Status.ALREADY_EXISTS) {
      return { error: "An account with this email exists already. Sign in instead.", problem: "exists" };
    }
    return failed(error, "your new account");
  }
  redirect("/spaces");
}

/** Revokes the session at ms_auth, then forgets the cookies. */
export async function signOut(): Promise<void> {
  const jar = await cookies();
  const refreshToken = jar.get(REFRESH_COOKIE)?.value;
  if (refreshToken) {
    try {
      await logout(refreshToken);
    } catch {
      // Already revoked or expired: signing out locally is all that is left to do.
    }
  }
  clearSession(jar);
  redirect("/sign-in");
}
