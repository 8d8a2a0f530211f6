// The bell's live count in the browser: ms_notifications' StreamNotifications over gRPC-web
// through the edge, resumed after the last cursor it saw when the connection drops.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { NotificationService } from "@knowledge/protos/knowledge/notifications/v1/notification_service_pb";

export type BellState = "connecting" | "live" | "reconnecting" | "closed";

export interface BellFollower {
  /** The unread count, whenever it is known anew. */
  onCount(unread: number): void;
  /** A notification arrived or changed: the list is worth loading again. */
  onChange(): void;
  onState(state: BellState): void;
}

const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 10_000;

/** Follows `user`'s notifications until `signal` aborts, with a fresh token on every reconnect. */
export async function followNotifications(
  user: string,
  token: () => Promise<string | undefined>,
  follower: BellFollower,
  signal: AbortSignal,
): Promise<void> {
  const transport = createGrpcWebTransport({ baseUrl: window.location.origin, useBinaryFormat: true });
  const notifications = createClient(NotificationService, transport);
  let cursor = "";
  let wait = RETRY_FIRST_MS;
  while (!signal.aborted) {
    follower.onState(cursor ? "reconnecting" : "connecting");
    try {
      const bearer = await token();
      if (!bearer) {
        follower.onState("closed");
        return;
      }
      const headers = { authorization: `Bearer ${bearer}` };
      const stream = notifications.streamNotifications({ parent: user, resumeAfter: cursor }, { signal, headers });
      for await (const message of stream) {
        wait = RETRY_FIRST_MS;
        cursor = message.cursor || cursor;
        const event = message.event;
        switch (event.case) {
          case "unreadCount":
            follower.onCount(event.value);
            follower.onState("live");
            break;
          case "counts":
            follower.onCount(event.value.unreadCount);
            break;
          case "notification":
          case "updated":
            follower.onChange();
            break;
        }
      }
    } catch (error) {
      if (signal.aborted) {
        break;
      }
      const failure = ConnectError.from(error);
      if (failure.code === Code.InvalidArgument) {
        cursor = ""; // a cursor the stream no longer knows: start over
      } else if (failure.code === Code.PermissionDenied) {
        follower.onState("closed");
        return;
      }
    }
    if (signal.aborted) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
    wait = Math.min(wait * 2, RETRY_MAX_MS);
  }
  follower.onState("closed");
}
