"use client";
import { useActionState } from "react";
import { createDocumentAction } from "@/actions/knowledge";
import { NOTHING_YET } from "@/actions/result";
import { FormMessage } from "./FormMessage";
import { SubmitButton } from "./SubmitButton";

export function CreateDocumentForm({ space }: { space: string }) {
  const [state, action] = useActionState(createDocumentAction.bind(null, space), NOTHING_YET);
  return (
    <form className="row" action={action}>
      <label>
        Title
        <input id="new-document-title" name="title" required />
      </label>
      <SubmitButton id="create-document-button" pending="Creating…">
        New document
      </SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}
