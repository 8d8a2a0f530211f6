// The bell: the signed-in user's unread count, live from ms_notifications' StreamNotifications
// (resumed after its last cursor when the connection drops), the inbox list kept current by the
// same stream, and the mails the local SMTP sink received.
import { Code, ConnectError } from "@connectrpc/connect";
import type { Notification } from "@knowledge/protos/knowledge/notifications/v1/notification_pb";
import type { StreamNotificationsResponse } from "@knowledge/protos/knowledge/notifications/v1/notification_service_pb";
import { element, showError } from "./dom.js";
import type { Platform } from "./platform.js";

const LISTED = 20;
const RECONNECT_MS = 1000;
const MAILS_EVERY_MS = 2000;
const MAILS_PATH = "/local/mails";

interface Mail {
  id: string;
  from: string;
  to: string;
  subject: string;
  date: string;
  text: string;
}

export class NotificationsView {
  private readonly shown = new Map<string, Notification>();
  private mailsTimer?: number;

  constructor(
    private readonly platform: Platform,
    private readonly user: string,
  ) {
    element("bell").hidden = false;
    element("bell").addEventListener("click", () => this.toggle());
    element("mark-all-read").addEventListener(
      "click",
      () =>
        void this.platform.notifications
          .markAllNotificationsRead({ parent: this.user })
          .catch(showError),
    );
  }

  /** Follow the user's stream for as long as the page is open. */
  async follow(): Promise<void> {
    let cursor = "";
    for (;;) {
      try {
        const stream = this.platform.notifications.streamNotifications({
          parent: this.user,
          resumeAfter: cursor,
        });
        for await (const message of stream) {
          cursor = message.cursor || cursor;
          await this.apply(message);
        }
      } catch (error) {
        if (ConnectError.from(error).code === Code.InvalidArgument) {
          cursor = ""; // a cursor this stream no longer knows: start over
        }
        element("notifications-status").textContent =
          `not live: ${ConnectError.from(error).message}; reconnecting`;
      }
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
    }
  }

  private async apply(message: StreamNotificationsResponse): Promise<void> {
    const event = message.event;
    switch (event.case) {
      case "unreadCount":
        this.count(event.value);
        element("notifications-status").textContent = "live";
        await this.load();
        return;
      case "notification":
      case "updated":
        this.shown.set(event.value.name, event.value);
        this.render();
        return;
      case "counts":
        this.count(event.value.unreadCount);
        return;
    }
  }

  private count(unread: number): void {
    element("bell-count").textContent = String(unread);
    element("bell").dataset.unread = String(unread);
  }

  private async load(): Promise<void> {
    const { notifications } = await this.platform.notifications.listNotifications({
      parent: this.user,
      pageSize: LISTED,
    });
    this.shown.clear();
    for (const one of notifications) {
      this.shown.set(one.name, one);
    }
    this.render();
  }

  /** Newest news first, as the inbox orders them. */
  private render(): void {
    const newest = [...this.shown.values()]
      .filter((one) => !one.archiveTime)
      .sort((a, b) => when(b) - when(a))
      .slice(0, LISTED);
    element("notification-list").replaceChildren(
      ...newest.map((one) => notificationItem(one, () => this.read(one))),
    );
  }

  private read(one: Notification): void {
    if (!one.readTime) {
      void this.platform.notifications.markNotificationRead({ name: one.name }).catch(showError);
    }
  }

  private toggle(): void {
    const panel = element("notifications");
    panel.hidden = !panel.hidden;
    window.clearInterval(this.mailsTimer);
    if (!panel.hidden) {
      void this.showMails();
      this.mailsTimer = window.setInterval(() => void this.showMails(), MAILS_EVERY_MS);
    }
  }

  private async showMails(): Promise<void> {
    const reply = await fetch(MAILS_PATH, { cache: "no-store" });
    if (!reply.ok) {
      element("mails-status").textContent =
        reply.status === 404 ? "no local mail sink in this run" : `mails: HTTP ${reply.status}`;
      return;
    }
    const { mails } = (await reply.json()) as { mails: Mail[] };
    element("mails-status").textContent = mails.length
      ? `${mails.length} mail${mails.length === 1 ? "" : "s"} received by the local SMTP sink`
      : "no mail received yet";
    element("mail-list").replaceChildren(...mails.map(mailItem));
  }
}

function when(one: Notification): number {
  const time = one.updateTime ?? one.createTime;
  return time ? Number(time.seconds) * 1000 + time.nanos / 1e6 : 0;
}

function notificationItem(one: Notification, read: () => void): HTMLLIElement {
  const item = document.createElement("li");
  item.className = one.readTime ? "notification" : "notification unread";
  item.dataset.name = one.name;
  const button = document.createElement("button");
  button.type = "button";
  const title = document.createElement("strong");
  title.className = "notification-title";
  title.textContent = one.title;
  button.append(title);
  if (one.body) {
    const body = document.createElement("span");
    body.className = "notification-body";
    body.textContent = one.body;
    button.append(" ", body);
  }
  button.addEventListener("click", read);
  item.append(button);
  return item;
}

function mailItem(mail: Mail): HTMLLIElement {
  const item = document.createElement("li");
  item.className = "mail";
  item.dataset.id = mail.id;
  const subject = document.createElement("strong");
  subject.className = "mail-subject";
  subject.textContent = mail.subject;
  const to = document.createElement("span");
  to.className = "mail-to";
  to.textContent = `to ${mail.to} · ${mail.date}`;
  const text = document.createElement("p");
  text.className = "mail-text";
  text.textContent = mail.text;
  item.append(subject, " ", to, text);
  return item;
}
