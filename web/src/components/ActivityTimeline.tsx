"use client";
// A space's timeline, newest first: the first page rendered on the server, each further page
// loaded with a Server Action; times shown in the browser's time zone.
import { useState, useTransition } from "react";
import { timelinePageAction } from "@/actions/activity";
import type { ActivityView, TimelinePage } from "@/api/activity";
import { LocalTime } from "./LocalTime";

export function ActivityTimeline({ space, first }: { space: string; first: TimelinePage }) {
  const [activities, setActivities] = useState<ActivityView[]>(first.activities);
  const [next, setNext] = useState(first.nextPageToken);
  const [error, setError] = useState("");
  const [pending, startTransition] = useTransition();

  const more = () =>
    startTransition(async () => {
      try {
        const result = await timelinePageAction(space, next);
        if ("page" in result) {
          setActivities((shown) => [...shown, ...result.page.activities]);
          setNext(result.page.nextPageToken);
          setError("");
        } else {
          setError(result.error ?? "More activity could not be loaded.");
        }
      } catch {
        setError("The platform did not answer. Try again in a moment.");
      }
    });

  if (activities.length === 0) {
    return (
      <p className="muted" id="no-activity">
        Nothing has happened here yet.
      </p>
    );
  }
  return (
    <>
      <ol className="plain" id="activity-list">
        {activities.map((one) => (
          <li key={one.name} className="activity-item" data-verb={one.verb} data-subject={one.subject}>
            <span className="activity-summary">{one.summary}</span>
            {one.time ? (
              <>
                {" · "}
                <LocalTime className="activity-time muted" iso={one.time} />
              </>
            ) : null}
          </li>
        ))}
      </ol>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {next ? (
        <button type="button" className="quiet" id="activity-more" disabled={pending} aria-busy={pending} onClick={more}>
          {pending ? "Loading…" : "Show older activity"}
        </button>
      ) : null}
    </>
  );
}
