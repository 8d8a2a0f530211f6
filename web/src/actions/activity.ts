"use server";
// A space's activity for the browser: more of its timeline, its chart in the browser's time zone,
// and a document viewed, each a Server Action calling ms_activity as the signed-in user.
import { daily, record, timeline, type DailyView, type TimelinePage } from "@/api/activity";
import { PlatformError, Status } from "@/api/errors";
import { asUser } from "@/api/session";
import { spaceName } from "@/api/views";
import { failed, type FormState } from "./result";

const DAYS_AT_MOST = 92;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PASSING = new Set<number>([Status.PERMISSION_DENIED, Status.UNAVAILABLE, Status.DEADLINE_EXCEEDED]);
const DOCUMENT = /^spaces\/[^/]+\/documents\/[^/]+$/;

export type PageResult = { page: TimelinePage } | FormState;
export type DailyResult = { daily: DailyView } | FormState;
export type RecordResult = { recorded: number } | (FormState & { retryInMs?: number });

export async function timelinePageAction(space: string, pageToken: string): Promise<PageResult> {
  try {
    return { page: await asUser((token) => timeline(token, spaceName(space), pageToken)) };
  } catch (error) {
    return failed(error, "this space's activity");
  }
}

/** Activities per day of `zone` from `startIso` (the browser's local midnight) until now. */
export async function dailyActivityAction(space: string, startIso: string, zone: string): Promise<DailyResult> {
  const start = new Date(startIso);
  const end = new Date();
  const days = (end.getTime() - start.getTime()) / 86_400_000;
  if (Number.isNaN(days) || days <= 0 || days > DAYS_AT_MOST) {
    return { error: "Choose a period of at most three months." };
  }
  try {
    return { daily: await asUser((token) => daily(token, spaceName(space), start, end, zone)) };
  } catch (error) {
    return failed(error, "this space's activity");
  }
}

/** Records that the user viewed `document` (spaces/s/documents/d) under the browser's `id`. */
export async function documentViewedAction(id: string, document: string, title: string): Promise<RecordResult> {
  if (!UUID.test(id) || !DOCUMENT.test(document)) {
    return { error: "Not a document view." };
  }
  const viewed = { id, verb: "document.viewed", subject: document, occurTime: new Date(), properties: { title: title.slice(0, 256) } };
  try {
    return { recorded: await asUser((token) => record(token, [viewed])) };
  } catch (error) {
    if (error instanceof PlatformError && error.code === Status.RESOURCE_EXHAUSTED) {
      const seconds = Number(/retry in (\d+) seconds/.exec(error.detail)?.[1] ?? "5");
      return { ...failed(error, "your view"), retryInMs: seconds * 1000 };
    }
    if (error instanceof PlatformError && PASSING.has(error.code)) {
      // The space's membership may still be on its way to ms_activity.
      return { ...failed(error, "your view"), retryInMs: 5000 };
    }
    return failed(error, "your view");
  }
}
