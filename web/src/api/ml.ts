// ms_ml from the server: models with their versions, aliases and deployments, and training jobs,
// over grpc-js. Reading needs any signed-in user; every change (a job, its cancelling, an alias,
// a deployment's traffic) needs the admin role (PERMISSION_DENIED otherwise).
import { DeploymentService } from "@knowledge/protos/knowledge/ml/v1/deployment_service_pb";
import type { Model } from "@knowledge/protos/knowledge/ml/v1/model_pb";
import { ModelService } from "@knowledge/protos/knowledge/ml/v1/model_service_pb";
import { TrainingService } from "@knowledge/protos/knowledge/ml/v1/training_service_pb";
import { unary } from "./grpc";
import {
  aliasView,
  deploymentView,
  gateText,
  jobView,
  transitionView,
  versionView,
  type AliasView,
  type DeploymentView,
  type JobView,
  type ModelView,
  type SplitView,
  type TransitionView,
  type VersionView,
} from "./ml_views";

export type {
  AliasView,
  DeploymentView,
  JobStateName,
  JobView,
  ModelView,
  SplitView,
  TransitionView,
  VersionView,
} from "./ml_views";

/** Registry reads and alias moves: quick database work. */
const REGISTRY_DEADLINE_MS = 5_000;
/** The registry's largest page (the kit's MAX_PAGE_SIZE). */
const TRANSITIONS_PAGE = 200;
/** How many pages of a model's history are read for its newest transitions. */
const TRANSITION_PAGES = 10;
/** A deployment's new traffic takes effect once each version it sends requests to is loaded. */
const DEPLOYMENT_DEADLINE_MS = 30_000;

function modelView(model: Model, versions: VersionView[]): ModelView {
  return {
    name: model.name,
    id: model.name.split("/")[1] ?? "",
    displayName: model.displayName,
    description: model.description,
    task: model.task,
    gates: model.gates.map(gateText),
    versions,
  };
}

/** Every model with its newest versions. */
export async function listModels(token: string): Promise<ModelView[]> {
  const answer = await unary(ModelService.method.listModels, { pageSize: 100 }, { token });
  return Promise.all(
    answer.models.map(async (model) => {
      const versions = await unary(
        ModelService.method.listModelVersions,
        { parent: model.name, pageSize: 20 },
        { token },
      );
      return modelView(model, versions.modelVersions.map(versionView));
    }),
  );
}

/** Training jobs of every model, newest first. */
export async function listJobs(token: string): Promise<JobView[]> {
  const answer = await unary(TrainingService.method.listTrainingJobs, { parent: "models/-", pageSize: 50 }, { token });
  return answer.trainingJobs.map(jobView);
}

export async function getJob(token: string, name: string): Promise<JobView> {
  const answer = await unary(TrainingService.method.getTrainingJob, { name }, { token });
  if (!answer.trainingJob) {
    throw new Error("the answer had no training job");
  }
  return jobView(answer.trainingJob);
}

/** Queues `recipe` for `model` (models/m) with its parameters; admins only. */
export async function createJob(
  token: string,
  model: string,
  recipe: string,
  hyperparameters: Record<string, string>,
): Promise<JobView> {
  const answer = await unary(
    TrainingService.method.createTrainingJob,
    { parent: model, trainingJob: { recipe, hyperparameters } },
    { token },
  );
  if (!answer.trainingJob) {
    throw new Error("the answer had no training job");
  }
  return jobView(answer.trainingJob);
}

export async function cancelJob(token: string, name: string): Promise<JobView> {
  const answer = await unary(TrainingService.method.cancelTrainingJob, { name }, { token });
  if (!answer.trainingJob) {
    throw new Error("the answer had no training job");
  }
  return jobView(answer.trainingJob);
}

/** One model (models/m) with its newest versions. */
export async function getModel(token: string, name: string): Promise<ModelView> {
  const [model, versions] = await Promise.all([
    unary(ModelService.method.getModel, { name }, { token, deadlineMs: REGISTRY_DEADLINE_MS }),
    unary(
      ModelService.method.listModelVersions,
      { parent: name, pageSize: 50 },
      { token, deadlineMs: REGISTRY_DEADLINE_MS },
    ),
  ]);
  if (!model.model) {
    throw new Error("the answer had no model");
  }
  return modelView(model.model, versions.modelVersions.map(versionView));
}

/** The model's aliases, by name. */
export async function listAliases(token: string, model: string): Promise<AliasView[]> {
  const answer = await unary(
    ModelService.method.listModelAliases,
    { parent: model, pageSize: 100 },
    { token, deadlineMs: REGISTRY_DEADLINE_MS },
  );
  return answer.aliases.map(aliasView);
}

export interface TransitionHistory {
  /** The newest transitions, newest first. */
  newest: TransitionView[];
  /** How many the model has, counting those left out; more when `complete` is false. */
  total: number;
  complete: boolean;
}

/**
 * The model's stage and alias transitions (who moved what, when, from where to where and why),
 * the newest `count` of them first. ms_ml lists them oldest first, so the pages are read through
 * (up to TRANSITION_PAGES of them).
 */
export async function listTransitions(token: string, model: string, count: number): Promise<TransitionHistory> {
  const newest: TransitionView[] = [];
  let total = 0;
  let pageToken = "";
  for (let page = 0; page < TRANSITION_PAGES; page += 1) {
    const answer = await unary(
      ModelService.method.listModelTransitions,
      { parent: model, pageSize: TRANSITIONS_PAGE, pageToken },
      { token, deadlineMs: REGISTRY_DEADLINE_MS },
    );
    total += answer.transitions.length;
    newest.push(...answer.transitions.map(transitionView));
    newest.splice(0, Math.max(0, newest.length - count));
    pageToken = answer.nextPageToken;
    if (!pageToken) {
      return { newest: newest.reverse(), total, complete: true };
    }
  }
  return { newest: newest.reverse(), total, complete: false };
}

/** Training jobs of one model, newest first. */
export async function listModelJobs(token: string, model: string): Promise<JobView[]> {
  const answer = await unary(
    TrainingService.method.listTrainingJobs,
    { parent: model, pageSize: 20 },
    { token, deadlineMs: REGISTRY_DEADLINE_MS },
  );
  return answer.trainingJobs.map(jobView);
}

/**
 * Points `alias` (models/m/aliases/a) at `version` (models/m/versions/n), taking it from its
 * holder; the model's gates are checked first (FAILED_PRECONDITION naming the gate). Admins only.
 * The version that held it before, empty if none.
 */
export async function setAlias(token: string, alias: string, version: string, reason: string): Promise<string> {
  const answer = await unary(
    ModelService.method.setModelAlias,
    { name: alias, modelVersion: version, reason },
    { token, deadlineMs: REGISTRY_DEADLINE_MS },
  );
  return answer.previousModelVersion;
}

/** Deletes `alias` (models/m/aliases/a); FAILED_PRECONDITION while a deployment serves it. */
export async function deleteAlias(token: string, alias: string, reason: string): Promise<void> {
  await unary(ModelService.method.deleteModelAlias, { name: alias, reason }, { token, deadlineMs: REGISTRY_DEADLINE_MS });
}

/** The model's deployments. */
export async function listDeployments(token: string, model: string): Promise<DeploymentView[]> {
  const answer = await unary(
    DeploymentService.method.listDeployments,
    { parent: model, pageSize: 50 },
    { token, deadlineMs: REGISTRY_DEADLINE_MS },
  );
  return answer.deployments.map(deploymentView);
}

/** Sends the deployment's requests by `traffic` (percents summing to 100): a new revision. */
export async function setTraffic(
  token: string,
  deployment: string,
  etag: string,
  traffic: SplitView[],
  reason: string,
): Promise<DeploymentView> {
  const answer = await unary(
    DeploymentService.method.updateDeployment,
    { deployment: { name: deployment, etag, traffic }, updateMask: { paths: ["traffic"] }, reason },
    { token, deadlineMs: DEPLOYMENT_DEADLINE_MS },
  );
  if (!answer.deployment) {
    throw new Error("the answer had no deployment");
  }
  return deploymentView(answer.deployment);
}

/** Returns the deployment to the revision before the current one, as a new revision. */
export async function rollBack(token: string, deployment: string, reason: string): Promise<DeploymentView> {
  const answer = await unary(
    DeploymentService.method.rollbackDeployment,
    { name: deployment, revision: 0n, reason },
    { token, deadlineMs: DEPLOYMENT_DEADLINE_MS },
  );
  if (!answer.deployment) {
    throw new Error("the answer had no deployment");
  }
  return deploymentView(answer.deployment);
}
