"use client";
import { useActionState } from "react";
import { setAliasAction, type TypedFormState } from "@/actions/ml";
import { NOTHING_YET } from "@/actions/result";
import { FormMessage } from "../FormMessage";
import { SubmitButton } from "../SubmitButton";

/** Points an alias, new or held by another version, at a version; the model's gates may refuse. */
export function SetAliasForm({ model, newest }: { model: string; newest: string }) {
  const [state, action] = useActionState(setAliasAction.bind(null, model), NOTHING_YET as TypedFormState);
  // A refused submission shows again what was typed.
  const typed = (field: string, otherwise = "") => state.typed?.[field]?.[0] ?? otherwise;
  return (
    <form className="row" action={action} aria-label="Set an alias" id="set-alias-form">
      <label>
        Alias
        <input
          name="alias"
          id="set-alias-name"
          placeholder="champion"
          defaultValue={typed("alias")}
          required
          maxLength={63}
        />
      </label>
      <label>
        Version
        <input name="version" id="set-alias-version" type="number" min={1} defaultValue={typed("version", newest)} required />
      </label>
      <label>
        Reason
        <input
          name="reason"
          id="set-alias-reason"
          maxLength={1000}
          defaultValue={typed("reason")} placeholder="why (kept in the history)" />
      </label>
      <SubmitButton pending="Setting…" id="set-alias-button">
        Set alias
      </SubmitButton>
      <FormMessage state={state} id="set-alias-message" />
    </form>
  );
}
