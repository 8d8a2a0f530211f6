"use client";
import { useActionState } from "react";
import { createJobAction } from "@/actions/ml";
import { NOTHING_YET } from "@/actions/result";
import { FormMessage } from "./FormMessage";
import { SubmitButton } from "./SubmitButton";

/** Queues a training job of a model's recipe (admins only: others are told so). */
export function NewJobForm({ model }: { model: string }) {
  const [state, action] = useActionState(createJobAction.bind(null, model), NOTHING_YET);
  return (
    <form className="row" action={action}>
      <label>
        Recipe
        <input name="recipe" defaultValue="reranker" required />
      </label>
      <label>
        Epochs
        <input name="epochs" type="number" min={1} max={5000} defaultValue={300} />
      </label>
      <SubmitButton pending="Queuing…">Train</SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}
