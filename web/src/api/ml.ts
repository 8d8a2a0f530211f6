// ms_ml from the server: models with their versions, and training jobs, over grpc-js. Reading
// needs any signed-in user; creating a job needs the admin role (PERMISSION_DENIED otherwise).
import type { Model } from "@knowledge/protos/knowledge/ml/v1/model_pb";
import { ModelService } from "@knowledge/protos/knowledge/ml/v1/model_service_pb";
import { TrainingService } from "@knowledge/protos/knowledge/ml/v1/training_service_pb";
import { unary } from "./grpc";
import { jobView, versionView, type JobView, type ModelView, type VersionView } from "./ml_views";

export type { JobStateName, JobView, ModelView, VersionView } from "./ml_views";

function modelView(model: Model, versions: VersionView[]): ModelView {
  return {
    name: model.name,
    id: model.name.split("/")[1] ?? "",
    displayName: model.displayName,
    description: model.description,
    task: model.task,
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
