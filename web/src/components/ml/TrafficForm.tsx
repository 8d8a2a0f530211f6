"use client";
import { useActionState } from "react";
import { rollBackAction, setTrafficAction, type TypedFormState } from "@/actions/ml";
import { NOTHING_YET } from "@/actions/result";
import { shortName, type DeploymentView } from "@/api/ml_views";
import { FormMessage } from "../FormMessage";
import { SubmitButton } from "../SubmitButton";

/** A deployment's traffic split (a canary: shares of versions or aliases summing to 100%), and a
 * rollback to its previous revision. */
export function TrafficForm({ deployment }: { deployment: DeploymentView }) {
  const [state, action] = useActionState(
    setTrafficAction.bind(null, deployment.name, deployment.etag),
    NOTHING_YET as TypedFormState,
  );
  const [rolled, rollBack] = useActionState(rollBackAction.bind(null, deployment.name), NOTHING_YET);
  // The rows in force and one more; after a refusal, the rows as they were typed.
  const served = [...deployment.traffic, { modelVersion: "", alias: "", percent: 0 }].map((split) => ({
    target: split.modelVersion ? shortName(split.modelVersion) : split.alias,
    percent: split.percent ? String(split.percent) : "",
  }));
  const rows = state.error && state.typed?.target
    ? state.typed.target.map((target, index) => ({ target, percent: state.typed?.percent?.[index] ?? "" }))
    : served;
  return (
    <>
      <form action={action} aria-label={`Traffic of ${deployment.id}`} className="traffic-form">
        <fieldset>
          <legend>Split the traffic (shares must add up to 100%)</legend>
          {rows.map((split, index) => (
            <div className="row" key={index}>
              <label>
                Version or alias
                <input
                  name="target"
                  defaultValue={split.target}
                  placeholder="3 or champion"
                />
              </label>
              <label>
                Percent
                <input name="percent" type="number" min={1} max={100} defaultValue={split.percent} />
              </label>
            </div>
          ))}
          <label>
            Reason
            <input
              name="reason"
              maxLength={1000}
              placeholder="why (kept with the revision)"
              defaultValue={state.error ? (state.typed?.reason?.[0] ?? "") : ""}
            />
          </label>{" "}
          <SubmitButton pending="Deploying…">Set split</SubmitButton>
        </fieldset>
        <FormMessage state={state} />
      </form>
      <form className="row" action={rollBack} aria-label={`Roll back ${deployment.id}`}>
        <SubmitButton pending="Rolling back…">Roll back to the previous revision</SubmitButton>
        <FormMessage state={rolled} />
      </form>
    </>
  );
}
