"use server";
// Spaces, members and documents: each change is a Server Action calling ms_knowledge with the
// user's bearer token attached here, on the server.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import {
  changeMemberRole,
  createDocument,
  createSpace,
  inviteMember,
  removeMember,
  restoreVersion,
  updateDocument,
} from "@/api/knowledge";
import { asUser } from "@/api/session";
import { lastSegment, spaceName, type DocumentView, type RoleName } from "@/api/views";
import { failed, text, type FormState } from "./result";

export async function createSpaceAction(_: FormState, form: FormData): Promise<FormState> {
  const displayName = text(form, "displayName");
  if (!displayName) {
    return { error: "Give the space a name." };
  }
  let id: string;
  try {
    const space = await asUser((token) => createSpace(token, displayName, text(form, "description")));
    id = space.id;
  } catch (error) {
    return failed(error, "the space");
  }
  revalidatePath("/spaces");
  redirect(`/spaces/${id}`);
}

export async function createDocumentAction(space: string, _: FormState, form: FormData): Promise<FormState> {
  const title = text(form, "title");
  if (!title) {
    return { error: "Give the document a title." };
  }
  let id: string;
  try {
    const document = await asUser((token) => createDocument(token, spaceName(space), title, ""));
    id = document.id;
  } catch (error) {
    return failed(error, "the document");
  }
  revalidatePath(`/spaces/${space}`);
  redirect(`/spaces/${space}/documents/${id}`);
}

const ROLES: readonly RoleName[] = ["viewer", "editor", "owner"];

export async function inviteMemberAction(space: string, _: FormState, form: FormData): Promise<FormState> {
  const user = text(form, "user");
  const role = text(form, "role") as RoleName;
  if (!/^users\/[^/]+$/.test(user)) {
    return { error: "Enter the person's user name as it looks on their page: users/…" };
  }
  if (!ROLES.includes(role)) {
    return { error: "Choose viewer, editor or owner." };
  }
  try {
    await asUser((token) => inviteMember(token, spaceName(space), user, role));
  } catch (error) {
    return failed(error, "the membership");
  }
  revalidatePath(`/spaces/${space}`);
  return { done: `${user} is now ${role === "viewer" ? "a" : "an"} ${role}.` };
}

/** The member form's two buttons: a new role, or removal (`intent` = "remove"). */
export async function manageMemberAction(
  space: string,
  member: string,
  _: FormState,
  form: FormData,
): Promise<FormState> {
  const role = text(form, "role") as RoleName;
  const removing = text(form, "intent") === "remove";
  if (!removing && !ROLES.includes(role)) {
    return { error: "Choose viewer, editor or owner." };
  }
  try {
    await asUser(async (token) => {
      if (removing) {
        await removeMember(token, member);
      } else {
        await changeMemberRole(token, member, role);
      }
    });
  } catch (error) {
    return failed(error, "the membership");
  }
  revalidatePath(`/spaces/${space}`);
  return { done: removing ? "Removed." : `Now ${role}.` };
}

export type SaveResult = { document: DocumentView } | FormState;

/** Saves the document if nobody saved it since `etag`; a stale etag answers problem "stale". */
export async function saveDocumentAction(
  name: string,
  etag: string,
  title: string,
  content: string,
): Promise<SaveResult> {
  try {
    const document = await asUser((token) => updateDocument(token, name, etag, title, content));
    return { document };
  } catch (error) {
    return failed(error, "this document");
  }
}

export async function restoreVersionAction(version: string, etag: string): Promise<SaveResult> {
  try {
    const document = await asUser((token) => restoreVersion(token, version, etag));
    const space = version.split("/")[1] ?? "";
    revalidatePath(`/spaces/${space}/documents/${lastSegment(document.name)}`);
    return { document };
  } catch (error) {
    return failed(error, "this document");
  }
}
