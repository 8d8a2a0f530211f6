import Link from "next/link";
import { load } from "@/api/load";
import { getJob } from "@/api/ml";
import { tokenOrSignIn } from "@/api/session";
import { JobLog } from "@/components/JobLog";

/** One training job: its state and its log, live. */
export default async function JobPage({ params }: { params: Promise<{ model: string; job: string }> }) {
  const { model, job } = await params;
  const token = await tokenOrSignIn();
  const found = await load("this training job", () => getJob(token, `models/${model}/trainingJobs/${job}`));
  return (
    <>
      <p>
        <Link href="/models">Models</Link> / <Link href={`/models/${model}`}>{model}</Link> /
      </p>
      <h1 id="job-title">
        Training job {job}
        {found.ok ? ` (${found.value.recipe})` : ""}
      </h1>
      {found.ok ? (
        <section className="card">
          <JobLog initial={found.value} />
        </section>
      ) : (
        <p className="error" role="alert">
          {found.message}
        </p>
      )}
    </>
  );
}
