"use server";
// The model registry from the page: training jobs queued and cancelled, aliases set, moved and
// deleted, a deployment's traffic split and rolled back. Each is a Server Action calling ms_ml as
// the signed-in user; ms_ml lets only administrators (and service accounts) change anything.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { PlatformError, Status, explain } from "@/api/errors";
import { cancelJob, createJob, deleteAlias, rollBack, setAlias, setTraffic, type SplitView } from "@/api/ml";
import { shortName } from "@/api/ml_views";
import { asUser } from "@/api/session";
import { failed, text, type FormState } from "./result";

const MODEL = /^models\/[^/]+$/;
const JOB = /^models\/[^/]+\/trainingJobs\/[^/]+$/;
const DEPLOYMENT = /^models\/[^/]+\/deployments\/[^/]+$/;
/** As ms_ml names them: 1-63 lowercase letters, digits and dashes, starting with a letter. */
const ALIAS = /^[a-z][a-z0-9-]{0,62}$/;
const VERSION = /^[1-9][0-9]{0,9}$/;

/** A form's answer, with what was typed when it was refused (the form shows it again). */
export type TypedFormState = FormState & { typed?: Record<string, string[]> };

/** Every field of `form` as typed, to give back with a refusal. */
function typed(form: FormData): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const [key, value] of form.entries()) {
    if (typeof value === "string" && !key.startsWith("$")) {
      (fields[key] ??= []).push(value);
    }
  }
  return fields;
}

const ADMINS_ONLY =
  "Only administrators may change the model registry (train and cancel jobs, move aliases, change deployments). Your account is not one: ask an administrator.";

/** ms_ml's resource names in a message as words: "version 3 of reranker", "alias champion". */
function inWords(detail: string): string {
  return detail
    .replace(/models\/([^/\s:;,]+)\/versions\/(\d+)/g, "version $2 of $1")
    .replace(/models\/([^/\s:;,]+)\/aliases\/([^/\s:;,]+)/g, "alias $2 of $1")
    .replace(/models\/([^/\s:;,]+)\/trainingJobs\/([^/\s:;,]+)/g, "training job $2 of $1")
    .replace(/models\/([^/\s:;,]+)\/deployments\/([^/\s:;,]+)/g, "deployment $2 of $1")
    .replace(/models\/([^/\s:;,]+)/g, "model $1");
}

function stopped(text: string): string {
  return text.endsWith(".") ? text : `${text}.`;
}

function sentence(text: string): string {
  return stopped(`${text.charAt(0).toUpperCase()}${text.slice(1)}`);
}

/** A refusal of ms_ml as the form shows it: who may, which gate refused and why, what is missing. */
function refused(error: unknown, what: string): FormState {
  if (error instanceof PlatformError) {
    switch (error.code) {
      case Status.PERMISSION_DENIED:
        return { error: ADMINS_ONLY, problem: "forbidden" };
      case Status.FAILED_PRECONDITION:
        return { error: `Refused: ${stopped(inWords(error.detail))}`, problem: "invalid" };
      case Status.NOT_FOUND:
        return { error: sentence(inWords(error.detail)), problem: "missing" };
      case Status.INVALID_ARGUMENT:
        return { error: explain(error.code, inWords(error.detail), what), problem: "invalid" };
    }
  }
  return failed(error, what);
}

function modelPage(model: string): string {
  return `/${model}`;
}

export async function createJobAction(model: string, _: FormState, form: FormData): Promise<FormState> {
  const recipe = text(form, "recipe");
  const epochs = text(form, "epochs");
  if (!MODEL.test(model) || !recipe) {
    return { error: "Name a recipe, e.g. reranker." };
  }
  let id: string;
  try {
    const job = await asUser((token) => createJob(token, model, recipe, epochs ? { epochs } : {}));
    id = job.id;
  } catch (error) {
    return refused(error, "the training job");
  }
  revalidatePath(modelPage(model));
  redirect(`/${model}/jobs/${id}`);
}

/** Stops a queued or running job; its log then ends with the job CANCELLED. */
export async function cancelJobAction(job: string, _: FormState, __: FormData): Promise<FormState> {
  if (!JOB.test(job)) {
    return { error: "That is not a training job's name." };
  }
  try {
    await asUser((token) => cancelJob(token, job));
  } catch (error) {
    if (error instanceof PlatformError && error.code === Status.FAILED_PRECONDITION) {
      return { error: "The job has already ended, so there is nothing to cancel.", problem: "invalid" };
    }
    return refused(error, "cancelling the job");
  }
  const model = job.split("/").slice(0, 2).join("/");
  revalidatePath(modelPage(model));
  revalidatePath("/models");
  return { done: "Cancelled." };
}

/** `version` as the form gave it ("3" or "models/m/versions/3"): the version's name, or null. */
function versionName(model: string, version: string): string | null {
  const number = version.startsWith(`${model}/versions/`) ? shortName(version) : version;
  return VERSION.test(number) ? `${model}/versions/${number}` : null;
}

function moved(alias: string, version: string, previous: string): string {
  const to = `version ${shortName(version)}`;
  if (!previous) {
    return `${alias} now points at ${to}.`;
  }
  return previous === version ? `${alias} already pointed at ${to}.` : `${alias} moved from version ${shortName(previous)} to ${to}.`;
}

/** Points an alias (new or not) at a version; the model's gates decide whether it may. */
export async function setAliasAction(model: string, _: TypedFormState, form: FormData): Promise<TypedFormState> {
  const alias = text(form, "alias");
  const version = versionName(model, text(form, "version"));
  if (!MODEL.test(model)) {
    return { error: "That is not a model's name.", typed: typed(form) };
  }
  if (!ALIAS.test(alias)) {
    return {
      error: "An alias is 1 to 63 lowercase letters, digits and dashes, starting with a letter, e.g. champion.",
      typed: typed(form),
    };
  }
  if (!version) {
    return { error: "Give the version's number, e.g. 3.", typed: typed(form) };
  }
  let previous: string;
  try {
    previous = await asUser((token) => setAlias(token, `${model}/aliases/${alias}`, version, text(form, "reason")));
  } catch (error) {
    return { ...refused(error, `alias ${alias}`), typed: typed(form) };
  }
  revalidatePath(modelPage(model));
  return { done: moved(alias, version, previous) };
}

/** An alias's row: move it to another version, or delete it (`intent` = "delete"). */
export async function manageAliasAction(
  model: string,
  alias: string,
  _: TypedFormState,
  form: FormData,
): Promise<TypedFormState> {
  if (!MODEL.test(model) || !ALIAS.test(alias)) {
    return { error: "That is not an alias of a model.", typed: typed(form) };
  }
  const name = `${model}/aliases/${alias}`;
  const reason = text(form, "reason");
  if (text(form, "intent") === "delete") {
    try {
      await asUser((token) => deleteAlias(token, name, reason));
    } catch (error) {
      return { ...refused(error, `deleting alias ${alias}`), typed: typed(form) };
    }
    revalidatePath(modelPage(model));
    return { done: `${alias} deleted.` };
  }
  const version = versionName(model, text(form, "version"));
  if (!version) {
    return { error: "Give the version's number, e.g. 3.", typed: typed(form) };
  }
  let previous: string;
  try {
    previous = await asUser((token) => setAlias(token, name, version, reason));
  } catch (error) {
    return { ...refused(error, `alias ${alias}`), typed: typed(form) };
  }
  revalidatePath(modelPage(model));
  return { done: moved(alias, version, previous) };
}

/** The canary form's rows (`target` a version number or an alias, `percent`), checked. */
function splits(model: string, form: FormData): SplitView[] | string {
  const targets = form.getAll("target").map((one) => (typeof one === "string" ? one.trim() : ""));
  const percents = form.getAll("percent").map((one) => (typeof one === "string" ? one.trim() : ""));
  const traffic: SplitView[] = [];
  for (const [index, target] of targets.entries()) {
    const percent = percents[index] ?? "";
    if (!target && !percent) {
      continue;
    }
    const row = `Row ${index + 1}`;
    if (!/^\d{1,3}$/.test(percent) || Number(percent) < 1 || Number(percent) > 100) {
      return `${row}: a share is a whole percent from 1 to 100.`;
    }
    const version = versionName(model, target);
    if (version) {
      traffic.push({ modelVersion: version, alias: "", percent: Number(percent) });
    } else if (ALIAS.test(target)) {
      traffic.push({ modelVersion: "", alias: target, percent: Number(percent) });
    } else {
      return `${row}: name a version by its number (e.g. 3) or an alias (e.g. champion).`;
    }
  }
  if (traffic.length === 0) {
    return "Give at least one version and its share.";
  }
  const total = traffic.reduce((sum, split) => sum + split.percent, 0);
  if (total !== 100) {
    return `The shares add up to ${total}%; they must add up to 100%.`;
  }
  return traffic;
}

/** Splits a deployment's requests between versions or aliases (a canary), as a new revision. */
export async function setTrafficAction(
  deployment: string,
  etag: string,
  _: TypedFormState,
  form: FormData,
): Promise<TypedFormState> {
  if (!DEPLOYMENT.test(deployment)) {
    return { error: "That is not a deployment's name.", typed: typed(form) };
  }
  const model = deployment.split("/").slice(0, 2).join("/");
  const traffic = splits(model, form);
  if (typeof traffic === "string") {
    return { error: traffic, typed: typed(form) };
  }
  let revision: number;
  try {
    revision = (await asUser((token) => setTraffic(token, deployment, etag, traffic, text(form, "reason")))).revision;
  } catch (error) {
    if (error instanceof PlatformError && error.code === Status.ABORTED) {
      return {
        error: "Someone changed this deployment after you opened the page. Reload it to see theirs, then try again.",
        problem: "stale",
        typed: typed(form),
      };
    }
    return { ...refused(error, "the new traffic"), typed: typed(form) };
  }
  revalidatePath(modelPage(model));
  return { done: `Revision ${revision} serves the new split.` };
}

/** Returns a deployment to its previous revision's traffic. */
export async function rollBackAction(deployment: string, _: FormState, __: FormData): Promise<FormState> {
  if (!DEPLOYMENT.test(deployment)) {
    return { error: "That is not a deployment's name." };
  }
  let revision: number;
  try {
    revision = (await asUser((token) => rollBack(token, deployment, "rolled back from the models page"))).revision;
  } catch (error) {
    return refused(error, "the rollback");
  }
  revalidatePath(modelPage(deployment.split("/").slice(0, 2).join("/")));
  return { done: `Rolled back: revision ${revision} serves the previous traffic.` };
}
