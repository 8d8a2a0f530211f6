"use client";
import { useActionState } from "react";
import { manageAliasAction, type TypedFormState } from "@/actions/ml";
import { NOTHING_YET } from "@/actions/result";
import { shortName, type AliasView } from "@/api/ml_views";
import { FormMessage } from "../FormMessage";

/** One alias: the version holding it, moved to another version or deleted, with why (kept in the
 * model's history). */
export function AliasRow({ model, alias }: { model: string; alias: AliasView }) {
  const [state, action, pending] = useActionState(
    manageAliasAction.bind(null, model, alias.alias),
    NOTHING_YET as TypedFormState,
  );
  const holder = shortName(alias.modelVersion);
  return (
    <li className="alias" data-alias={alias.alias} data-version={holder}>
      <form className="row" action={action} aria-label={`Alias ${alias.alias}`}>
        <strong>{alias.alias}</strong>
        <span>
          → version <span className="alias-holder">{holder}</span>
        </span>
        <label>
          Move to version
          <input
            name="version"
            type="number"
            min={1}
            defaultValue={state.error ? (state.typed?.version?.[0] ?? holder) : holder}
            required
            disabled={pending}
            className="alias-version"
          />
        </label>
        <label>
          Why
          <input
            name="reason"
            maxLength={1000}
            defaultValue={state.error ? (state.typed?.reason?.[0] ?? "") : ""}
            disabled={pending}
            className="alias-reason"
            placeholder="kept in the history"
          />
        </label>
        <button type="submit" className="quiet" name="intent" value="move" disabled={pending}>
          Move
        </button>
        <button type="submit" className="quiet" name="intent" value="delete" disabled={pending} formNoValidate>
          Delete
        </button>
      </form>
      <FormMessage state={state} />
    </li>
  );
}
