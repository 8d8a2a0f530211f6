"use server";
// Training a model: a Server Action calling ms_ml as the signed-in user (admins only).
import { redirect } from "next/navigation";
import { createJob } from "@/api/ml";
import { asUser } from "@/api/session";
import { failed, text, type FormState } from "./result";

export async function createJobAction(model: string, _: FormState, form: FormData): Promise<FormState> {
  const recipe = text(form, "recipe");
  const epochs = text(form, "epochs");
  if (!/^models\/[^/]+$/.test(model) || !recipe) {
    return { error: "Name a recipe, e.g. reranker." };
  }
  let id: string;
  try {
    const job = await asUser((token) => createJob(token, model, recipe, epochs ? { epochs } : {}));
    id = job.id;
  } catch (error) {
    return failed(error, "the training job");
  }
  redirect(`/${model}/jobs/${id}`);
}
