// The browser's live views: gRPC-web server streams through the edge that served the app, with
// the user's short-lived access token (never the refresh token) as the bearer.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import {
  DocumentChangeType,
  DocumentService,
} from "@knowledge/protos/knowledge/knowledge/v1/document_service_pb";
import { ChatService } from "@knowledge/protos/knowledge/chat/v1/chat_service_pb";
import { AnswerStatus, type Citation } from "@knowledge/protos/knowledge/chat/v1/conversation_pb";
import { documentView, type DocumentView } from "./views";

export type StreamState = "connecting" | "live" | "reconnecting" | "deleted" | "closed";

export interface DocumentFollower {
  onDocument(document: DocumentView): void;
  onState(state: StreamState, detail?: string): void;
}

/** Where gRPC-web goes: the edge that served the app, or NEXT_PUBLIC_EDGE_URL for a dev server. */
export function edgeUrl(): string {
  return process.env.NEXT_PUBLIC_EDGE_URL || window.location.origin;
}

const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 10_000;

function documents() {
  const transport = createGrpcWebTransport({
    baseUrl: edgeUrl(),
    useBinaryFormat: true,
  });
  return createClient(DocumentService, transport);
}

/**
 * Follows `name` over WatchDocument until `signal` aborts: a snapshot first, then every change.
 * A dropped stream is reopened with a fresh token from `token()`, waiting longer each time.
 */
export async function followDocument(
  name: string,
  token: () => Promise<string | undefined>,
  follower: DocumentFollower,
  signal: AbortSignal,
): Promise<void> {
  const client = documents();
  let wait = RETRY_FIRST_MS;
  while (!signal.aborted) {
    follower.onState("connecting");
    try {
      const bearer = await token();
      const headers: Record<string, string> = bearer ? { authorization: `Bearer ${bearer}` } : {};
      for await (const change of client.watchDocument({ name }, { signal, headers })) {
        wait = RETRY_FIRST_MS;
        if (change.changeType === DocumentChangeType.DELETED) {
          follower.onState("deleted");
          return;
        }
        if (change.document) {
          follower.onDocument(documentView(change.document));
        }
        follower.onState("live");
      }
    } catch (error) {
      if (signal.aborted) {
        break;
      }
      const failure = ConnectError.from(error);
      if (failure.code === Code.PermissionDenied || failure.code === Code.NotFound) {
        follower.onState("closed", failure.code === Code.NotFound ? "missing" : "forbidden");
        return;
      }
    }
    if (signal.aborted) {
      break;
    }
    follower.onState("reconnecting");
    await new Promise((resolve) => setTimeout(resolve, wait));
    wait = Math.min(wait * 2, RETRY_MAX_MS);
  }
  follower.onState("closed");
}

/** The citations and text of an answer as it streams. */
export interface CitationView {
  document: string;
  title: string;
  snippet: string;
  startOffset: number;
  endOffset: number;
  answerStartOffset: number;
  answerEndOffset: number;
  unavailable: boolean;
}

export type AnswerEvent =
  | { kind: "question" }
  | { kind: "sources"; count: number }
  | { kind: "token"; text: string }
  | { kind: "citation"; citation: CitationView }
  | { kind: "answer"; text: string; citations: CitationView[]; status: AnswerEnding };

export type AnswerEnding = "complete" | "stopped" | "no-answer" | "failed" | "answered";

function citationView(citation: Citation): CitationView {
  return {
    document: citation.document,
    title: citation.title,
    snippet: citation.snippet,
    startOffset: citation.startOffset,
    endOffset: citation.endOffset,
    answerStartOffset: citation.answerStartOffset,
    answerEndOffset: citation.answerEndOffset,
    unavailable: citation.unavailable,
  };
}

function ending(status: AnswerStatus): AnswerEnding {
  switch (status) {
    case AnswerStatus.COMPLETE:
      return "complete";
    case AnswerStatus.STOPPED:
      return "stopped";
    case AnswerStatus.NO_ANSWER:
      return "no-answer";
    case AnswerStatus.FAILED:
      return "failed";
    default:
      return "answered";
  }
}

/** Asks `question` in `conversation` (StreamAnswer): each event as it arrives. */
export async function* streamAnswer(
  conversation: string,
  question: string,
  bearer: string | undefined,
  signal: AbortSignal,
): AsyncGenerator<AnswerEvent> {
  const transport = createGrpcWebTransport({ baseUrl: edgeUrl(), useBinaryFormat: true });
  const chat = createClient(ChatService, transport);
  const headers: Record<string, string> = bearer ? { authorization: `Bearer ${bearer}` } : {};
  for await (const message of chat.streamAnswer({ parent: conversation, content: question }, { signal, headers })) {
    const event = message.event;
    switch (event.case) {
      case "question":
        yield { kind: "question" };
        break;
      case "sources":
        yield { kind: "sources", count: event.value.passages.length };
        break;
      case "token":
        yield { kind: "token", text: event.value };
        break;
      case "citation":
        yield { kind: "citation", citation: citationView(event.value) };
        break;
      case "answer":
        yield {
          kind: "answer",
          text: event.value.content,
          citations: event.value.citations.map(citationView),
          status: ending(event.value.status),
        };
        break;
    }
  }
}
