// What a Server Action answers a form: nothing yet, done, or a message a person understands.
import { PlatformError, explain, problemOf, type Problem } from "@/api/errors";

export interface FormState {
  error?: string;
  problem?: Problem;
  done?: string;
}

export const NOTHING_YET: FormState = {};

/** A failure as the form shows it; anything that is not a platform answer is rethrown. */
export function failed(error: unknown, what: string): FormState {
  if (error instanceof PlatformError) {
    return { error: explain(error.code, error.detail, what), problem: problemOf(error.code) };
  }
  throw error;
}

export function text(form: FormData, field: string): string {
  const value = form.get(field);
  return typeof value === "string" ? value.trim() : "";
}
