// ms_activity from the server: a space's timeline a page at a time, its activity per local day,
// and what the browser alone sees (a document viewed), recorded as the signed-in user.
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Activity } from "@knowledge/protos/knowledge/activity/v1/activity_pb";
import { AggregateInterval } from "@knowledge/protos/knowledge/activity/v1/activity_pb";
import { ActivityService } from "@knowledge/protos/knowledge/activity/v1/activity_service_pb";
import { unary } from "./grpc";

export const TIMELINE_PAGE = 20;
/** What the app reports as the source of the activities it records. */
const SOURCE = "web";

export interface ActivityView {
  name: string;
  verb: string;
  subject: string;
  summary: string;
  time: string;
}

export interface TimelinePage {
  activities: ActivityView[];
  nextPageToken: string;
}

export interface DayView {
  /** The bucket's first instant (local midnight in `zone`), ISO. */
  start: string;
  total: number;
  actors: number;
}

export interface DailyView {
  days: DayView[];
  total: number;
  actors: number;
  zone: string;
}

function activityView(one: Activity): ActivityView {
  return {
    name: one.name,
    verb: one.verb,
    subject: one.subject,
    summary: one.summary,
    time: one.occurTime ? timestampDate(one.occurTime).toISOString() : "",
  };
}

/** Newest first; `pageToken` from the previous page, "" for the first. */
export async function timeline(token: string, space: string, pageToken: string): Promise<TimelinePage> {
  const answer = await unary(
    ActivityService.method.listActivities,
    { parent: space, pageSize: TIMELINE_PAGE, pageToken },
    { token },
  );
  return { activities: answer.activities.map(activityView), nextPageToken: answer.nextPageToken };
}

/** Activities per local day of `zone` (an IANA name) from `start` until `end`. */
export async function daily(token: string, space: string, start: Date, end: Date, zone: string): Promise<DailyView> {
  const answer = await unary(
    ActivityService.method.aggregateActivities,
    {
      parent: space,
      timeRange: { startTime: timestampFromDate(start), endTime: timestampFromDate(end) },
      interval: AggregateInterval.DAY,
      timeZone: zone,
    },
    { token },
  );
  return {
    days: answer.buckets.map((bucket) => ({
      start: bucket.startTime ? timestampDate(bucket.startTime).toISOString() : "",
      total: Number(bucket.total),
      actors: Number(bucket.distinctActors),
    })),
    total: Number(answer.total),
    actors: Number(answer.distinctActors),
    zone: answer.timeZone,
  };
}

export interface Reported {
  /** A UUID made once by the browser, so a retried report is recorded once. */
  id: string;
  verb: string;
  subject: string;
  occurTime: Date;
  properties: Record<string, string>;
}

/** Records what the browser reported; how many were new. */
export async function record(token: string, activities: Reported[]): Promise<number> {
  const answer = await unary(
    ActivityService.method.recordActivities,
    {
      source: SOURCE,
      activities: activities.map((one) => ({
        id: one.id,
        verb: one.verb,
        subject: one.subject,
        occurTime: timestampFromDate(one.occurTime),
        properties: one.properties,
      })),
    },
    { token },
  );
  return answer.recordedCount;
}
