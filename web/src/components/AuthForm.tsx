"use client";
import Link from "next/link";
import { useActionState } from "react";
import { signIn, signUp } from "@/actions/auth";
import { NOTHING_YET } from "@/actions/result";
import { FormMessage } from "./FormMessage";
import { SubmitButton } from "./SubmitButton";

export function AuthForm({ mode }: { mode: "sign-in" | "sign-up" }) {
  const [state, action] = useActionState(mode === "sign-in" ? signIn : signUp, NOTHING_YET);
  return (
    <form className="stack" action={action} aria-describedby="auth-message">
      <label>
        Email
        <input id="email" name="email" type="email" autoComplete="email" required />
      </label>
      {mode === "sign-up" ? (
        <label>
          Your name
          <input id="display-name" name="displayName" autoComplete="name" />
        </label>
      ) : null}
      <label>
        Password
        <input
          id="password"
          name="password"
          type="password"
          autoComplete={mode === "sign-in" ? "current-password" : "new-password"}
          minLength={mode === "sign-up" ? 8 : undefined}
          required
        />
      </label>
      <SubmitButton id={`${mode}-button`} pending={mode === "sign-in" ? "Signing in…" : "Creating…"}>
        {mode === "sign-in" ? "Sign in" : "Create account"}
      </SubmitButton>
      <FormMessage state={state} id="auth-message" />
      {mode === "sign-in" ? (
        <p>
          New here? <Link href="/sign-up">Create an account</Link>
        </p>
      ) : (
        <p>
          Have an account? <Link href="/sign-in">Sign in</Link>
        </p>
      )}
    </form>
  );
}
