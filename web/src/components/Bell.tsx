"use client";
// The header's bell: the unread count live over gRPC-web (StreamNotifications), and a panel
// listing the newest notifications, loaded and marked read with Server Actions.
import { useCallback, useEffect, useId, useRef, useState, useTransition } from "react";
import { streamToken } from "@/api/stream_token";
import { inboxAction, markAllReadAction, markReadAction, type InboxResult } from "@/actions/notifications";
import type { NotificationView } from "@/api/notifications";
import { followNotifications, type BellState } from "@/api/notifications_stream";
import styles from "./Bell.module.css";

export function Bell({ user }: { user: string }) {
  const [unread, setUnread] = useState<number | null>(null);
  const [state, setState] = useState<BellState>("connecting");
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<NotificationView[] | null>(null);
  const [error, setError] = useState("");
  const [pending, startTransition] = useTransition();
  const openRef = useRef(open);
  openRef.current = open;
  const panelId = useId();

  const show = useCallback((result: InboxResult) => {
    if ("inbox" in result) {
      setItems(result.inbox.notifications);
      setUnread(result.inbox.unreadCount);
      setError("");
    } else {
      setError(result.error ?? "Your notifications could not be loaded.");
    }
  }, []);

  const run = useCallback(
    (action: () => Promise<InboxResult>) =>
      startTransition(async () => {
        try {
          show(await action());
        } catch {
          setError("The platform did not answer. Try again in a moment.");
        }
      }),
    [show],
  );

  useEffect(() => {
    const stop = new AbortController();
    followNotifications(
      user,
      streamToken,
      {
        onCount: setUnread,
        onChange: () => {
          if (openRef.current) {
            run(inboxAction);
          }
        },
        onState: setState,
      },
      stop.signal,
    ).catch(() => setState("closed"));
    return () => stop.abort();
  }, [user, run]);

  const toggle = () => {
    const next = !open;
    setOpen(next);
    if (next) {
      run(inboxAction);
    }
  };

  const count = unread ?? 0;
  return (
    <div className={styles.bell}>
      <button
        type="button"
        className="quiet"
        id="bell"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={`Notifications: ${count} unread`}
        data-unread={unread ?? ""}
        data-state={state}
        onClick={toggle}
      >
        <span aria-hidden="true">🔔</span>{" "}
        <span id="bell-count" className={count ? styles.count : styles.none}>
          {count}
        </span>
      </button>
      {open ? (
        <section className={styles.panel} id={panelId} aria-label="Notifications">
          <div className={styles.head}>
            <h2 className={styles.title}>Notifications</h2>
            <span className="status" id="notifications-status">
              {state === "live" ? "live" : state === "closed" ? "not live" : `${state}…`}
            </span>
            <button
              type="button"
              className="quiet"
              id="mark-all-read"
              disabled={pending || count === 0}
              onClick={() => run(markAllReadAction)}
            >
              Mark all read
            </button>
          </div>
          {error ? (
            <p className="error" role="alert">
              {error}
            </p>
          ) : null}
          {items === null ? (
            <p className="status" role="status">
              Loading…
            </p>
          ) : items.length === 0 ? (
            <p className="muted" id="no-notifications">
              Nothing yet. You hear here when someone adds you to a space or writes in yours.
            </p>
          ) : (
            <ul className="plain" id="notification-list">
              {items.map((one) => (
                <li key={one.name} className={one.read ? "notification" : `notification ${styles.unread}`} data-name={one.name} data-read={one.read}>
                  <button
                    type="button"
                    className={styles.item}
                    onClick={() => (one.read ? undefined : run(() => markReadAction(one.name)))}
                    aria-label={`${one.read ? "" : "Unread: "}${one.title}${one.read ? "" : " (mark read)"}`}
                  >
                    <strong className="notification-title">{one.title}</strong>
                    {one.body ? <span className="notification-body"> {one.body}</span> : null}
                    {one.time ? (
                      <time className={styles.time} dateTime={one.time}>
                        {new Date(one.time).toLocaleString()}
                      </time>
                    ) : null}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
      ) : null}
    </div>
  );
}
