// Plain views of ms_ml's models, versions and training jobs (numbers and ISO dates), shared by
// Server Components and the browser's log stream; no gRPC client here.
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { ModelStage, type ModelVersion } from "@knowledge/protos/knowledge/ml/v1/model_pb";
import { TrainingJobState, type TrainingJob } from "@knowledge/protos/knowledge/ml/v1/training_job_pb";

export interface VersionView {
  name: string;
  stage: string;
  aliases: string[];
  metrics: Record<string, number>;
  trainingJob: string;
  createTime: string;
}

export interface ModelView {
  name: string;
  id: string;
  displayName: string;
  description: string;
  task: string;
  versions: VersionView[];
}

export type JobStateName = "queued" | "running" | "succeeded" | "failed" | "cancelled" | "unknown";

export interface JobView {
  name: string;
  model: string;
  id: string;
  recipe: string;
  state: JobStateName;
  modelVersion: string;
  errorMessage: string;
  metrics: Record<string, number>;
  createTime: string;
  endTime: string;
}

function iso(time: Timestamp | undefined): string {
  return time ? timestampDate(time).toISOString() : "";
}

const STAGES: Record<number, string> = {
  [ModelStage.NONE]: "none",
  [ModelStage.STAGING]: "staging",
  [ModelStage.PRODUCTION]: "production",
  [ModelStage.ARCHIVED]: "archived",
};

export function stateName(state: TrainingJobState): JobStateName {
  switch (state) {
    case TrainingJobState.QUEUED:
      return "queued";
    case TrainingJobState.RUNNING:
      return "running";
    case TrainingJobState.SUCCEEDED:
      return "succeeded";
    case TrainingJobState.FAILED:
      return "failed";
    case TrainingJobState.CANCELLED:
      return "cancelled";
    default:
      return "unknown";
  }
}

export function versionView(version: ModelVersion): VersionView {
  return {
    name: version.name,
    stage: STAGES[version.stage] ?? "none",
    aliases: [...version.aliases],
    metrics: { ...version.metrics },
    trainingJob: version.trainingJob,
    createTime: iso(version.createTime),
  };
}

export function jobView(job: TrainingJob): JobView {
  const parts = job.name.split("/");
  return {
    name: job.name,
    model: parts.slice(0, 2).join("/"),
    id: parts[3] ?? "",
    recipe: job.recipe,
    state: stateName(job.state),
    modelVersion: job.modelVersion,
    errorMessage: job.errorMessage,
    metrics: { ...job.metrics },
    createTime: iso(job.createTime),
    endTime: iso(job.endTime),
  };
}

