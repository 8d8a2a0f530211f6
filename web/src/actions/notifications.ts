"use server";
// The bell's list and marking notifications read: Server Actions calling ms_notifications as the
// signed-in user, the bearer token attached here on the server.
import { listInbox, markAllRead, markRead, type InboxView } from "@/api/notifications";
import { asUser, currentMe } from "@/api/session";
import { failed, type FormState } from "./result";

export type InboxResult = { inbox: InboxView } | FormState;

async function me(): Promise<string> {
  const signedIn = await currentMe();
  if (!signedIn) {
    throw new Error("not signed in");
  }
  return signedIn.name;
}

export async function inboxAction(): Promise<InboxResult> {
  try {
    const user = await me();
    return { inbox: await asUser((token) => listInbox(token, user)) };
  } catch (error) {
    return failed(error, "your notifications");
  }
}

/** Marks `name` read (it must be one of the user's own), then the inbox as it is now. */
export async function markReadAction(name: string): Promise<InboxResult> {
  try {
    const user = await me();
    if (!name.startsWith(`${user}/notifications/`)) {
      return { error: "That notification is not yours." };
    }
    return {
      inbox: await asUser(async (token) => {
        await markRead(token, name);
        return listInbox(token, user);
      }),
    };
  } catch (error) {
    return failed(error, "this notification");
  }
}

export async function markAllReadAction(): Promise<InboxResult> {
  try {
    const user = await me();
    return {
      inbox: await asUser(async (token) => {
        await markAllRead(token, user);
        return listInbox(token, user);
      }),
    };
  } catch (error) {
    return failed(error, "your notifications");
  }
}
