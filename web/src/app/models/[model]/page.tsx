import Link from "next/link";
import { load } from "@/api/load";
import { getModel, listAliases, listDeployments, listModelJobs, listTransitions } from "@/api/ml";
import { shortName, type SplitView } from "@/api/ml_views";
import { currentMe, tokenOrSignIn } from "@/api/session";
import { LocalTime } from "@/components/LocalTime";
import { NewJobForm } from "@/components/NewJobForm";
import { AliasRow } from "@/components/ml/AliasRow";
import { SetAliasForm } from "@/components/ml/SetAliasForm";
import { TrafficForm } from "@/components/ml/TrafficForm";

/** How many of the model's newest transitions its page shows. */
const SHOWN_TRANSITIONS = 50;

function splitText(split: SplitView): string {
  return `${split.modelVersion ? `version ${shortName(split.modelVersion)}` : `alias ${split.alias}`} ${split.percent}%`;
}

/** One model: its versions, the aliases they hold (set, moved, deleted here), the history of
 * their moves and stage changes (who, when, from, to, why), its deployments' traffic (split,
 * rolled back here) and its training jobs. Changes need an administrator. */
export default async function ModelPage({ params }: { params: Promise<{ model: string }> }) {
  const { model: id } = await params;
  const name = `models/${id}`;
  const token = await tokenOrSignIn();
  const [model, aliases, history, deployments, jobs, me] = await Promise.all([
    load("this model", () => getModel(token, name)),
    load("the model's aliases", () => listAliases(token, name)),
    load("the model's history", () => listTransitions(token, name, SHOWN_TRANSITIONS)),
    load("the model's deployments", () => listDeployments(token, name)),
    load("the model's training jobs", () => listModelJobs(token, name)),
    currentMe(),
  ]);
  if (!model.ok) {
    return (
      <>
        <p>
          <Link href="/models">Models</Link> /
        </p>
        <h1>Model {id}</h1>
        <p className="error" role="alert">
          {model.message}
        </p>
      </>
    );
  }
  const { versions, gates } = model.value;
  return (
    <>
      <p>
        <Link href="/models">Models</Link> /
      </p>
      <h1 id="model-title">{model.value.displayName || id}</h1>
      {model.value.description ? <p className="muted">{model.value.description}</p> : null}
      <p className="muted" id="model-gates">
        {gates.length
          ? `A version takes an alias only if it meets: ${gates.join(", ")}.`
          : "This model has no metric gates: any version may take an alias."}{" "}
        Only administrators may change the registry.
      </p>

      <section className="card" aria-labelledby="versions-heading">
        <h2 id="versions-heading">Versions</h2>
        {versions.length === 0 ? (
          <p className="muted" id="no-versions">
            No versions yet: train one below.
          </p>
        ) : (
          <table className="versions" id="versions">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Stage</th>
                <th scope="col">Aliases</th>
                <th scope="col">Metrics</th>
              </tr>
            </thead>
            <tbody>
              {versions.map((version) => (
                <tr key={version.name} data-name={version.name}>
                  <td>{shortName(version.name)}</td>
                  <td>{version.stage}</td>
                  <td className="version-aliases">{version.aliases.join(", ")}</td>
                  <td>
                    {Object.entries(version.metrics)
                      .map(([metric, value]) => `${metric} ${value.toFixed(3)}`)
                      .join(" · ")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="card" aria-labelledby="aliases-heading">
        <h2 id="aliases-heading">Aliases</h2>
        {!aliases.ok ? (
          <p className="error" role="alert">
            {aliases.message}
          </p>
        ) : aliases.value.length === 0 ? (
          <p className="muted" id="no-aliases">
            No aliases yet.
          </p>
        ) : (
          <ul className="plain" id="aliases">
            {aliases.value.map((alias) => (
              <AliasRow key={alias.name} model={name} alias={alias} />
            ))}
          </ul>
        )}
        {versions.length ? (
          <>
            <h3>Set an alias</h3>
            <SetAliasForm model={name} newest={shortName(versions[0]?.name ?? "")} />
          </>
        ) : null}
      </section>

      <section className="card" aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        {!history.ok ? (
          <p className="error" role="alert">
            {history.message}
          </p>
        ) : history.value.newest.length === 0 ? (
          <p className="muted" id="no-transitions">
            No alias or stage has moved yet.
          </p>
        ) : (
          <>
            <p className="muted" id="transitions-summary">
              {history.value.newest.length < history.value.total || !history.value.complete
                ? `The newest ${history.value.newest.length} of ${history.value.complete ? "" : "more than "}${history.value.total} moves, newest first.`
                : "Every move of an alias or a stage, newest first."}
            </p>
            <table id="transitions">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">What</th>
                  <th scope="col">From</th>
                  <th scope="col">To</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {history.value.newest.map((transition) => (
                  <tr key={transition.name} data-name={transition.name}>
                    <td>{transition.createTime ? <LocalTime iso={transition.createTime} /> : null}</td>
                    <td className="transition-actor" title={transition.actor}>
                      {me && transition.actor === me.name ? "you" : transition.actor}
                    </td>
                    <td className="transition-subject">{transition.subject}</td>
                    <td className="transition-from">{transition.from}</td>
                    <td className="transition-to">{transition.to}</td>
                    <td className="transition-reason">{transition.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>

      <section className="card" aria-labelledby="deployments-heading">
        <h2 id="deployments-heading">Deployments</h2>
        {!deployments.ok ? (
          <p className="error" role="alert">
            {deployments.message}
          </p>
        ) : deployments.value.length === 0 ? (
          <p className="muted" id="no-deployments">
            Not deployed.
          </p>
        ) : (
          deployments.value.map((deployment) => (
            <article key={deployment.name} className="deployment" data-name={deployment.name}>
              <h3>{deployment.id}</h3>
              <p>
                Revision {deployment.revision} · <span data-state={deployment.state}>{deployment.state}</span> ·{" "}
                {deployment.traffic.map(splitText).join(", ") || "no traffic"}
                {deployment.statusMessage ? <> · {deployment.statusMessage}</> : null}
              </p>
              <TrafficForm deployment={deployment} />
            </article>
          ))
        )}
      </section>

      <section className="card" aria-labelledby="model-jobs-heading">
        <h2 id="model-jobs-heading">Training jobs</h2>
        {!jobs.ok ? (
          <p className="error" role="alert">
            {jobs.message}
          </p>
        ) : jobs.value.length === 0 ? (
          <p className="muted" id="no-model-jobs">
            No training jobs yet.
          </p>
        ) : (
          <ul className="plain" id="model-jobs">
            {jobs.value.map((job) => (
              <li key={job.name} data-state={job.state}>
                <Link href={`/${job.model}/jobs/${job.id}`}>{job.recipe}</Link> <span className="muted">{job.state}</span>
                {job.createTime ? (
                  <>
                    {" · "}
                    <LocalTime className="muted" iso={job.createTime} />
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        )}
        <h3>Train a new version</h3>
        <NewJobForm model={name} />
      </section>
    </>
  );
}
