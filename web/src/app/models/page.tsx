import Link from "next/link";
import { load } from "@/api/load";
import { listJobs, listModels } from "@/api/ml";
import { tokenOrSignIn } from "@/api/session";
import { LocalTime } from "@/components/LocalTime";
import { NewJobForm } from "@/components/NewJobForm";

/** The platform's models (ms_ml): their versions with stage, aliases and metrics, and training
 * jobs; each model's own page manages its aliases and deployments. */
export default async function ModelsPage() {
  const token = await tokenOrSignIn();
  const [models, jobs] = await Promise.all([
    load("the models", () => listModels(token)),
    load("the training jobs", () => listJobs(token)),
  ]);
  return (
    <>
      <h1>Models</h1>
      {!models.ok ? (
        <p className="error" role="alert">
          {models.message}
        </p>
      ) : models.value.length === 0 ? (
        <p className="muted" id="no-models">
          No models yet.
        </p>
      ) : (
        models.value.map((model) => (
          <section key={model.name} className="card model" aria-labelledby={`model-${model.id}`} data-name={model.name}>
            <h2 id={`model-${model.id}`}>
              <Link href={`/${model.name}`}>{model.displayName || model.id}</Link>
            </h2>
            {model.description ? <p className="muted">{model.description}</p> : null}
            {model.versions.length === 0 ? (
              <p className="muted">No versions yet.</p>
            ) : (
              <table className="versions">
                <thead>
                  <tr>
                    <th scope="col">Version</th>
                    <th scope="col">Stage</th>
                    <th scope="col">Aliases</th>
                    <th scope="col">Metrics</th>
                  </tr>
                </thead>
                <tbody>
                  {model.versions.map((version) => (
                    <tr key={version.name} data-name={version.name}>
                      <td>{version.name.split("/").pop()}</td>
                      <td>{version.stage}</td>
                      <td>{version.aliases.join(", ")}</td>
                      <td>
                        {Object.entries(version.metrics)
                          .map(([name, value]) => `${name} ${value.toFixed(3)}`)
                          .join(" · ")}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <h3>Train a new version</h3>
            <NewJobForm model={model.name} />
          </section>
        ))
      )}
      <section className="card" aria-labelledby="jobs-heading">
        <h2 id="jobs-heading">Training jobs</h2>
        {!jobs.ok ? (
          <p className="error" role="alert">
            {jobs.message}
          </p>
        ) : jobs.value.length === 0 ? (
          <p className="muted" id="no-jobs">
            No training jobs yet.
          </p>
        ) : (
          <ul className="plain" id="jobs">
            {jobs.value.map((job) => (
              <li key={job.name} data-state={job.state}>
                <Link href={`/${job.model}/jobs/${job.id}`}>
                  {job.model.split("/")[1]}: {job.recipe}
                </Link>{" "}
                <span className="muted">{job.state}</span>
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
      </section>
    </>
  );
}
