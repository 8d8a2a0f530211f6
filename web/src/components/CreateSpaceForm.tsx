"use client";
import { useActionState } from "react";
import { createSpaceAction } from "@/actions/knowledge";
import { NOTHING_YET } from "@/actions/result";
import { FormMessage } from "./FormMessage";
import { SubmitButton } from "./SubmitButton";

export function CreateSpaceForm() {
  const [state, action] = useActionState(createSpaceAction, NOTHING_YET);
  return (
    <form className="row" action={action}>
      <label>
        Name
        <input id="new-space-name" name="displayName" required />
      </label>
      <label>
        Description
        <input id="new-space-description" name="description" />
      </label>
      <SubmitButton id="create-space-button" pending="Creating…">
        Create space
      </SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}
