// The browser's live views: gRPC-web server streams through the edge that served the app, with
// the user's short-lived access token (never the refresh token) as the bearer.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import {
  DocumentChangeType,
  DocumentService,
} from "@knowledge/protos/knowledge/knowledge/v1/document_service_pb";
import { documentView, type DocumentView } from "./views";

export type StreamState = "connecting" | "live" | "reconnecting" | "deleted" | "closed";

export interface DocumentFollower {
  onDocument(document: DocumentView): void;
  onState(state: StreamState, detail?: string): void;
}

const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 10_000;

function documents() {
  const transport = createGrpcWebTransport({
    baseUrl: window.location.origin,
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
