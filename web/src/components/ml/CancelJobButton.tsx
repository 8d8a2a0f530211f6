"use client";
import { useActionState } from "react";
import { cancelJobAction } from "@/actions/ml";
import { NOTHING_YET } from "@/actions/result";
import { FormMessage } from "../FormMessage";
import { SubmitButton } from "../SubmitButton";

/** Stops a queued or running training job (admins only: others are told so). */
export function CancelJobButton({ job }: { job: string }) {
  const [state, action] = useActionState(cancelJobAction.bind(null, job), NOTHING_YET);
  return (
    <form className="row" action={action} aria-label="Cancel the training job">
      <SubmitButton pending="Cancelling…" id="cancel-job-button">
        Cancel job
      </SubmitButton>
      <FormMessage state={state} id="cancel-job-message" />
    </form>
  );
}
