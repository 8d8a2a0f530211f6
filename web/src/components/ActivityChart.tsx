"use client";
// A space's activities per day over its last 30 days, in the browser's time zone: the browser
// names its zone and its local midnight 29 days ago; ms_activity counts (AggregateActivities)
// through a Server Action. One bar per day, a dot at its number of distinct people.
import { useEffect, useState } from "react";
import { dailyActivityAction } from "@/actions/activity";
import type { DailyView } from "@/api/activity";

const DAYS = 30;
const BAR = 14;
const GAP = 3;
const HEIGHT = 120;
const AXIS = 16;

export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The local date (YYYY-MM-DD) of `instant` in `zone`. */
export function localDay(instant: Date, zone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(
    instant,
  );
}

export function ActivityChart({ space }: { space: string }) {
  const [chart, setChart] = useState<DailyView | null>(null);
  const [error, setError] = useState("");

  useEffect(() => {
    let current = true;
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    const start = new Date();
    start.setHours(0, 0, 0, 0);
    start.setDate(start.getDate() - (DAYS - 1));
    dailyActivityAction(space, start.toISOString(), zone)
      .then((result) => {
        if (!current) {
          return;
        }
        if ("daily" in result) {
          setChart(result.daily);
        } else {
          setError(result.error ?? "The chart could not be loaded.");
        }
      })
      .catch(() => current && setError("The platform did not answer. Try again in a moment."));
    return () => {
      current = false;
    };
  }, [space]);

  if (error) {
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  }
  if (!chart) {
    return (
      <p className="status" role="status">
        Counting…
      </p>
    );
  }
  const days = chart.days.map((day) => localDay(new Date(day.start), chart.zone));
  const width = chart.days.length * (BAR + GAP) + GAP;
  const highest = Math.max(1, ...chart.days.map((day) => day.total));
  const scale = (count: number) => (count / highest) * (HEIGHT - 4);
  const summary =
    `${plural(chart.total, "activity", "activities")} by ${plural(chart.actors, "person", "people")} ` +
    `in the last ${DAYS} days (days in ${chart.zone})`;
  return (
    <figure style={{ margin: 0 }}>
      <svg
        id="activity-chart"
        viewBox={`0 0 ${width} ${HEIGHT + AXIS}`}
        width={width}
        height={HEIGHT + AXIS}
        role="img"
        aria-label={summary}
      >
        {chart.days.map((day, index) => {
          const x = GAP + index * (BAR + GAP);
          return (
            <g key={day.start} className="activity-day" data-day={days[index]} data-total={day.total} data-actors={day.actors}>
              <title>{`${days[index]}: ${plural(day.total, "activity", "activities")} by ${plural(day.actors, "person", "people")}`}</title>
              <rect
                x={x}
                y={HEIGHT - scale(day.total)}
                width={BAR}
                height={Math.max(scale(day.total), day.total ? 1 : 0)}
                fill="var(--accent)"
              />
              {day.actors ? <circle cx={x + BAR / 2} cy={HEIGHT - scale(day.actors)} r={2.5} fill="var(--danger)" /> : null}
            </g>
          );
        })}
        <text x={GAP} y={HEIGHT + AXIS - 3} textAnchor="start" fontSize={10} fill="var(--muted)">
          {days[0] ?? ""}
        </text>
        <text x={width - GAP} y={HEIGHT + AXIS - 3} textAnchor="end" fontSize={10} fill="var(--muted)">
          {days[days.length - 1] ?? ""}
        </text>
      </svg>
      <figcaption className="muted" id="activity-chart-summary">
        {summary}
      </figcaption>
    </figure>
  );
}
