"use server";
// Creating a canvas in a space: a Server Action calling ms_canvas as the signed-in user.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { createCanvas } from "@/api/canvas";
import { asUser } from "@/api/session";
import { spaceName } from "@/api/views";
import { failed, text, type FormState } from "./result";

export async function createCanvasAction(space: string, _: FormState, form: FormData): Promise<FormState> {
  const title = text(form, "title");
  if (!title) {
    return { error: "Give the canvas a title." };
  }
  let id: string;
  try {
    id = (await asUser((token) => createCanvas(token, spaceName(space), title))).id;
  } catch (error) {
    return failed(error, "the canvas");
  }
  revalidatePath(`/spaces/${space}/canvases`);
  redirect(`/spaces/${space}/canvases/${id}`);
}
