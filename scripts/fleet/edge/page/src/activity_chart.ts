// A small SVG bar chart of daily activity: one bar per local day (its height the day's
// activities), a dot at the height of its distinct actors, the day and counts in each bar's title.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { ActivityBucket } from "@knowledge/protos/knowledge/activity/v1/activity_pb";

const SVG = "http://www.w3.org/2000/svg";
const BAR_WIDTH = 14;
const GAP = 3;
const HEIGHT = 120;
const AXIS = 16;

/** The local date (YYYY-MM-DD) an instant falls on in `zone`. */
export function localDay(instant: Date, zone: string): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(instant);
}

export function dailyChart(buckets: ActivityBucket[], zone: string): SVGSVGElement {
  const width = buckets.length * (BAR_WIDTH + GAP) + GAP;
  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${HEIGHT + AXIS}`,
    width: String(width),
    height: String(HEIGHT + AXIS),
    role: "img",
  });
  const highest = Math.max(1, ...buckets.map((bucket) => Number(bucket.total)));
  const scale = (count: number) => (count / highest) * (HEIGHT - 4);
  const days = buckets.map((bucket) =>
    localDay(bucket.startTime ? timestampDate(bucket.startTime) : new Date(), zone),
  );
  buckets.forEach((bucket, index) => {
    const day = days[index];
    const total = Number(bucket.total);
    const actors = Number(bucket.distinctActors);
    const x = GAP + index * (BAR_WIDTH + GAP);
    const group = svg("g", { class: "activity-day" });
    group.dataset.day = day;
    group.dataset.total = String(total);
    group.dataset.actors = String(actors);
    const title = svg("title", {});
    title.textContent = `${day}: ${plural(total, "activity", "activities")} by ${plural(actors, "person", "people")}`;
    const bar = svg("rect", {
      class: "activity-bar",
      x: String(x),
      y: String(HEIGHT - scale(total)),
      width: String(BAR_WIDTH),
      height: String(Math.max(scale(total), total ? 1 : 0)),
    });
    group.append(title, bar);
    if (actors) {
      group.append(
        svg("circle", {
          class: "activity-actors",
          cx: String(x + BAR_WIDTH / 2),
          cy: String(HEIGHT - scale(actors)),
          r: "2.5",
        }),
      );
    }
    chart.append(group);
  });
  for (const [label, anchor, x] of [
    [days[0] ?? "", "start", GAP],
    [days[days.length - 1] ?? "", "end", width - GAP],
  ] as const) {
    const text = svg("text", {
      x: String(x),
      y: String(HEIGHT + AXIS - 3),
      "text-anchor": anchor,
      class: "activity-axis",
    });
    text.textContent = label;
    chart.append(text);
  }
  return chart;
}

export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string>,
): SVGElementTagNameMap[K] {
  const made = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    made.setAttribute(name, value);
  }
  return made;
}
