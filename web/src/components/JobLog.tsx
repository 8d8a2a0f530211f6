"use client";
// A training job's log as it is written: StreamTrainingJobLogs over gRPC-web (the lines so far,
// then each new one), the job's state and metrics updated as the stream reports them. While the
// job is queued or running it can be cancelled here; the stream then reports it CANCELLED.
import { useEffect, useState } from "react";
import { streamToken } from "@/api/stream_token";
import type { JobView } from "@/api/ml_views";
import { followJobLog, type LogLine } from "@/api/training_logs";
import { CancelJobButton } from "./ml/CancelJobButton";

const STOPPABLE = new Set(["queued", "running"]);

export function JobLog({ initial }: { initial: JobView }) {
  const [job, setJob] = useState(initial);
  const [lines, setLines] = useState<LogLine[]>([]);
  const [state, setState] = useState("connecting");

  useEffect(() => {
    const stop = new AbortController();
    followJobLog(
      initial.name,
      streamToken,
      {
        onLine: (line) => setLines((shown) => (shown.some((one) => one.sequence === line.sequence) ? shown : [...shown, line])),
        onJob: setJob,
        onState: (next, detail) => setState(detail ? `${next}: ${detail}` : next),
      },
      stop.signal,
    ).catch(() => setState("closed"));
    return () => stop.abort();
  }, [initial.name]);

  const metrics = Object.entries(job.metrics);
  return (
    <>
      <p>
        State: <strong id="job-state" data-state={job.state}>{job.state}</strong>
        {job.modelVersion ? (
          <>
            {" "}
            · produced <code id="job-model-version">{job.modelVersion}</code>
          </>
        ) : null}
      </p>
      {STOPPABLE.has(job.state) ? <CancelJobButton job={job.name} /> : null}
      {job.errorMessage ? (
        <p className="error" role="alert">
          {job.errorMessage}
        </p>
      ) : null}
      {metrics.length ? (
        <ul className="plain" id="job-metrics">
          {metrics.map(([name, value]) => (
            <li key={name}>
              {name}: {value.toFixed(4)}
            </li>
          ))}
        </ul>
      ) : null}
      <h2 id="log-heading">
        Log <span className="status" id="log-status">({state})</span>
      </h2>
      <pre
        id="job-log"
        aria-labelledby="log-heading"
        aria-live="polite"
        tabIndex={0}
        style={{ maxHeight: "24rem", overflow: "auto", background: "var(--wash)", padding: "0.6rem", borderRadius: 6 }}
      >
        {lines.map((line) => (
          <span key={line.sequence} className={line.metric ? "log-metric" : "log-line"} data-sequence={line.sequence}>
            {line.text}
            {"\n"}
          </span>
        ))}
      </pre>
    </>
  );
}
