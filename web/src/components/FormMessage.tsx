import type { FormState } from "@/actions/result";

/** The outcome of a form's last submission, announced to screen readers. */
export function FormMessage({ state, id }: { state: FormState; id?: string }) {
  if (state.error) {
    return (
      <p className="error" role="alert" id={id}>
        {state.error}
      </p>
    );
  }
  if (state.done) {
    return (
      <p className="ok" role="status" id={id}>
        {state.done}
      </p>
    );
  }
  return null;
}
