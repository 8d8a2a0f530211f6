"use server";
// Starting a conversation with ms_chat; the question and its answer then stream over gRPC-web.
import { createConversation } from "@/api/chat";
import { asUser, currentMe } from "@/api/session";
import { failed, type FormState } from "./result";

export type Started = { conversation: string } | FormState;

export async function startConversation(question: string): Promise<Started> {
  const me = await currentMe();
  if (!me) {
    return { error: "Your session has ended. Sign in again.", problem: "signed-out" };
  }
  try {
    return { conversation: await asUser((token) => createConversation(token, me.name, question)) };
  } catch (error) {
    return failed(error, "the conversation");
  }
}
