// ms_notifications from the server: the signed-in user's inbox and marking it read, over grpc-js.
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import type { Notification } from "@knowledge/protos/knowledge/notifications/v1/notification_pb";
import { NotificationService } from "@knowledge/protos/knowledge/notifications/v1/notification_service_pb";
import { unary } from "./grpc";

/** One notification as the bell lists it (plain data, safe to hand to the browser). */
export interface NotificationView {
  name: string;
  title: string;
  body: string;
  subject: string;
  read: boolean;
  time: string;
}

export interface InboxView {
  notifications: NotificationView[];
  unreadCount: number;
}

const LISTED = 20;

function iso(time: Timestamp | undefined): string {
  return time ? timestampDate(time).toISOString() : "";
}

export function notificationView(one: Notification): NotificationView {
  return {
    name: one.name,
    title: one.title,
    body: one.body,
    subject: one.subject,
    read: one.readTime !== undefined,
    time: iso(one.updateTime ?? one.createTime),
  };
}

/** The newest notifications of `user` (users/...), archived ones left out. */
export async function listInbox(token: string, user: string): Promise<InboxView> {
  const answer = await unary(
    NotificationService.method.listNotifications,
    { parent: user, pageSize: LISTED },
    { token },
  );
  return {
    notifications: answer.notifications.map(notificationView),
    unreadCount: answer.unreadCount,
  };
}

export async function markRead(token: string, name: string): Promise<void> {
  await unary(NotificationService.method.markNotificationRead, { name }, { token });
}

/** How many were marked. */
export async function markAllRead(token: string, user: string): Promise<number> {
  const answer = await unary(NotificationService.method.markAllNotificationsRead, { parent: user }, { token });
  return answer.markedCount;
}
