// Plain views of ms_ml's models, versions and training jobs (numbers and ISO dates), shared by
// Server Components and the browser's log stream; no gRPC client here.
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { DeploymentState, type Deployment, type TrafficSplit } from "@knowledge/protos/knowledge/ml/v1/deployment_pb";
import {
  MetricComparison,
  ModelStage,
  ModelTransitionKind,
  type MetricGate,
  type ModelAlias,
  type ModelTransition,
  type ModelVersion,
} from "@knowledge/protos/knowledge/ml/v1/model_pb";
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
  /** What a version's metrics must meet to take an alias, e.g. "ndcg_at_10 >= 0.6". */
  gates: string[];
  versions: VersionView[];
}

export interface AliasView {
  name: string;
  /** Its short name, e.g. "champion". */
  alias: string;
  modelVersion: string;
  updateTime: string;
  updatedBy: string;
}

export interface TransitionView {
  name: string;
  /** What moved: "alias champion", or "version 3" between stages. */
  subject: string;
  /** Where it was and where it went: "version 1" to "version 2", "staging" to "production"; "none"
   * before an alias was first set, "deleted" after it was deleted. */
  from: string;
  to: string;
  /** users/... or serviceAccounts/... */
  actor: string;
  reason: string;
  createTime: string;
}

export interface SplitView {
  /** models/m/versions/n, or empty when the share goes to an alias's holder. */
  modelVersion: string;
  alias: string;
  percent: number;
}

export type DeploymentStateName = "pending" | "serving" | "failed" | "unknown";

export interface DeploymentView {
  name: string;
  id: string;
  modelVersion: string;
  revision: number;
  state: DeploymentStateName;
  statusMessage: string;
  replicas: number;
  traffic: SplitView[];
  etag: string;
  updateTime: string;
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

const COMPARISONS: Record<number, string> = {
  [MetricComparison.GREATER_THAN]: ">",
  [MetricComparison.GREATER_THAN_OR_EQUAL]: ">=",
  [MetricComparison.LESS_THAN]: "<",
  [MetricComparison.LESS_THAN_OR_EQUAL]: "<=",
};

const DEPLOYMENT_STATES: Record<number, DeploymentStateName> = {
  [DeploymentState.PENDING]: "pending",
  [DeploymentState.SERVING]: "serving",
  [DeploymentState.FAILED]: "failed",
};

/** The last segment of a resource name: "3" of models/m/versions/3. */
export function shortName(name: string): string {
  return name.split("/").pop() ?? name;
}

export function gateText(gate: MetricGate): string {
  return `${gate.metric} ${COMPARISONS[gate.comparison] ?? "?"} ${gate.threshold}`;
}

export function aliasView(alias: ModelAlias): AliasView {
  return {
    name: alias.name,
    alias: shortName(alias.name),
    modelVersion: alias.modelVersion,
    updateTime: iso(alias.updateTime),
    updatedBy: alias.updatedBy,
  };
}

function versionText(version: string, otherwise: string): string {
  return version ? `version ${shortName(version)}` : otherwise;
}

export function transitionView(transition: ModelTransition): TransitionView {
  const moved = { name: transition.name, actor: transition.actor, reason: transition.reason, createTime: iso(transition.createTime) };
  switch (transition.kind) {
    case ModelTransitionKind.STAGE:
      return {
        ...moved,
        subject: versionText(transition.modelVersion, "a version"),
        from: STAGES[transition.fromStage] ?? "none",
        to: STAGES[transition.toStage] ?? "none",
      };
    case ModelTransitionKind.ALIAS_DELETED:
      return {
        ...moved,
        subject: `alias ${transition.alias}`,
        from: versionText(transition.previousModelVersion, "none"),
        to: "deleted",
      };
    default:
      return {
        ...moved,
        subject: `alias ${transition.alias}`,
        from: versionText(transition.previousModelVersion, "none"),
        to: versionText(transition.modelVersion, "none"),
      };
  }
}

function splitView(split: TrafficSplit): SplitView {
  return { modelVersion: split.modelVersion, alias: split.alias, percent: split.percent };
}

export function deploymentView(deployment: Deployment): DeploymentView {
  return {
    name: deployment.name,
    id: shortName(deployment.name),
    modelVersion: deployment.modelVersion,
    revision: Number(deployment.revision),
    state: DEPLOYMENT_STATES[deployment.state] ?? "unknown",
    statusMessage: deployment.statusMessage,
    replicas: deployment.replicas,
    traffic: deployment.traffic.map(splitView),
    etag: deployment.etag,
    updateTime: iso(deployment.updateTime),
  };
}

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

