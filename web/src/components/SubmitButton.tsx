"use client";
import { useFormStatus } from "react-dom";
import type { ReactNode } from "react";

/** A form's submit button, disabled and saying so while the Server Action runs. */
export function SubmitButton({ children, pending, id }: { children: ReactNode; pending: string; id?: string }) {
  const status = useFormStatus();
  return (
    <button type="submit" id={id} disabled={status.pending} aria-busy={status.pending}>
      {status.pending ? pending : children}
    </button>
  );
}
