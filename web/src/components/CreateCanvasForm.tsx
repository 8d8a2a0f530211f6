"use client";
import { useActionState } from "react";
import { createCanvasAction } from "@/actions/canvas";
import { NOTHING_YET } from "@/actions/result";
import { FormMessage } from "./FormMessage";
import { SubmitButton } from "./SubmitButton";

export function CreateCanvasForm({ space }: { space: string }) {
  const [state, action] = useActionState(createCanvasAction.bind(null, space), NOTHING_YET);
  return (
    <form className="row" action={action}>
      <label>
        Title
        <input id="new-canvas-title" name="title" required />
      </label>
      <SubmitButton id="create-canvas-button" pending="Creating…">
        New canvas
      </SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}
