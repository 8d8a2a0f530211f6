// The open space's activity from ms_activity: its timeline (newest first, a page at a time, each
// activity's one-line summary and time) and a chart of its last 30 days in the browser's time
// zone. What the user views and searches here is reported back (ActivityReporter).
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ConnectError } from "@connectrpc/connect";
import type { Activity } from "@knowledge/protos/knowledge/activity/v1/activity_pb";
import { AggregateInterval } from "@knowledge/protos/knowledge/activity/v1/activity_pb";
import type { Space } from "@knowledge/protos/knowledge/knowledge/v1/space_pb";
import { dailyChart, plural } from "./activity_chart.js";
import { ActivityReporter } from "./activity_reporter.js";
import { element, inputValue } from "./dom.js";
import { onDocumentOpened, onSpaceOpened } from "./opened.js";
import type { Platform } from "./platform.js";

const PAGE_SIZE = 20;
const DAYS = 30;

export class ActivityView {
  private space?: Space;
  private nextPageToken = "";
  /** Counts loads, so an older answer never replaces a newer one's. */
  private latest = 0;
  private readonly zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  private readonly reporter: ActivityReporter;

  constructor(private readonly platform: Platform) {
    this.reporter = new ActivityReporter(
      platform,
      (spaces, count) => {
        // How many activities the page has reported, for whoever watches the page.
        const panel = element("activity");
        panel.dataset.reported = String(Number(panel.dataset.reported ?? "0") + count);
        if (this.space && spaces.has(this.space.name)) {
          void this.load();
        }
      },
      (text) => this.say(text, true),
    );
    onSpaceOpened((space) => {
      this.space = space;
      element("activity").hidden = false;
      element("activity-title").textContent = `Activity in ${space.displayName}`;
      void this.load();
    });
    onDocumentOpened((opened) =>
      this.reporter.report("document.viewed", opened.name, spaceOf(opened.name), {
        title: opened.title,
      }),
    );
    element("search-form").addEventListener("submit", () => {
      const mode = element<HTMLSelectElement>("search-mode").value;
      const query = inputValue("search-query");
      if (query) {
        this.reporter.report("search.run", "", "", {
          mode,
          query_length: String([...query].length),
        });
      }
    });
    element("activity-refresh").addEventListener("click", () => void this.load());
    element("activity-more").addEventListener("click", () => void this.more());
  }

  /** The timeline's first page and the chart, afresh. */
  private async load(): Promise<void> {
    const space = this.space;
    if (!space) {
      return;
    }
    const asked = ++this.latest;
    this.say("loading…");
    try {
      const [page, chart] = await Promise.all([this.page(space, ""), this.chart(space)]);
      if (asked !== this.latest) {
        return;
      }
      element("activity-list").replaceChildren(...page.activities.map((one) => this.item(one)));
      this.nextPageToken = page.nextPageToken;
      element("activity-more").hidden = !page.nextPageToken;
      element("activity-chart").replaceChildren(dailyChart(chart.buckets, chart.timeZone));
      element("activity-chart-summary").textContent =
        `${plural(Number(chart.total), "activity", "activities")} by ` +
        `${plural(Number(chart.distinctActors), "person", "people")} in the last ${DAYS} days ` +
        `(days in ${chart.timeZone})`;
      this.say(page.activities.length ? "" : "nothing has happened here yet");
    } catch (error) {
      if (asked === this.latest) {
        this.say(`activity not shown: ${ConnectError.from(error).rawMessage}`, true);
      }
    }
  }

  private async more(): Promise<void> {
    const space = this.space;
    if (!space || !this.nextPageToken) {
      return;
    }
    const asked = this.latest;
    try {
      const page = await this.page(space, this.nextPageToken);
      if (asked !== this.latest) {
        return;
      }
      element("activity-list").append(...page.activities.map((one) => this.item(one)));
      this.nextPageToken = page.nextPageToken;
      element("activity-more").hidden = !page.nextPageToken;
    } catch (error) {
      this.say(`more activity not shown: ${ConnectError.from(error).rawMessage}`, true);
    }
  }

  private page(space: Space, pageToken: string) {
    return this.platform.activity.listActivities({
      parent: space.name,
      pageSize: PAGE_SIZE,
      pageToken,
    });
  }

  /** The last DAYS local days, from the first one's midnight in the browser's zone until now. */
  private chart(space: Space) {
    const now = new Date();
    const start = new Date(now);
    start.setHours(0, 0, 0, 0);
    start.setDate(start.getDate() - (DAYS - 1));
    return this.platform.activity.aggregateActivities({
      parent: space.name,
      timeRange: { startTime: timestampFromDate(start), endTime: timestampFromDate(now) },
      interval: AggregateInterval.DAY,
      timeZone: this.zone,
    });
  }

  private item(activity: Activity): HTMLLIElement {
    const item = document.createElement("li");
    item.className = "activity-item";
    item.dataset.verb = activity.verb;
    item.dataset.subject = activity.subject;
    const summary = document.createElement("span");
    summary.className = "activity-summary";
    summary.textContent = activity.summary;
    const time = document.createElement("time");
    time.className = "activity-time";
    if (activity.occurTime) {
      const when = timestampDate(activity.occurTime);
      time.dateTime = when.toISOString();
      time.textContent = when.toLocaleString(undefined, { timeZone: this.zone });
    }
    item.append(summary, " · ", time);
    return item;
  }

  private say(text: string, error = false): void {
    const status = element("activity-status");
    status.classList.toggle("error", error);
    status.textContent = text;
  }
}

/** spaces/s of spaces/s/documents/d. */
function spaceOf(name: string): string {
  return name.split("/").slice(0, 2).join("/");
}
