// Loading for Server Components: a platform refusal becomes a message, anything else an error page.
import { redirect } from "next/navigation";
import { PlatformError, Status, explain } from "./errors";

export type Loaded<T> = { ok: true; value: T } | { ok: false; message: string };

export async function load<T>(what: string, loading: () => Promise<T>): Promise<Loaded<T>> {
  try {
    return { ok: true, value: await loading() };
  } catch (error) {
    if (error instanceof PlatformError) {
      if (error.code === Status.UNAUTHENTICATED) {
        redirect("/sign-in");
      }
      return { ok: false, message: explain(error.code, error.detail, what) };
    }
    throw error;
  }
}
