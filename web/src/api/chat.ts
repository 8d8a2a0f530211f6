// ms_chat from the server: the conversation a question goes into, over grpc-js. The answer itself
// streams to the browser over gRPC-web (grpc_web.ts).
import { ChatService } from "@knowledge/protos/knowledge/chat/v1/chat_service_pb";
import { unary } from "./grpc";

/** A new conversation of `user` (users/...), titled by its first question; its resource name. */
export async function createConversation(token: string, user: string, title: string): Promise<string> {
  const answer = await unary(
    ChatService.method.createConversation,
    { parent: user, conversation: { title: title.slice(0, 80) } },
    { token },
  );
  return answer.conversation?.name ?? "";
}
