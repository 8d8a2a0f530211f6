import Link from "next/link";
import { timeline } from "@/api/activity";
import { getSpace } from "@/api/knowledge";
import { load } from "@/api/load";
import { tokenOrSignIn } from "@/api/session";
import { spaceName } from "@/api/views";
import { ActivityChart } from "@/components/ActivityChart";
import { ActivityTimeline } from "@/components/ActivityTimeline";

/** A space's activity: the chart of its last 30 days (in the browser's zone) and its timeline. */
export default async function ActivityPage({ params }: { params: Promise<{ space: string }> }) {
  const { space } = await params;
  const token = await tokenOrSignIn();
  const name = spaceName(space);
  const [found, first] = await Promise.all([
    load("this space", () => getSpace(token, name)),
    load("this space's activity", () => timeline(token, name, "")),
  ]);
  if (!found.ok) {
    return (
      <section className="card">
        <h1>Activity</h1>
        <p className="error" role="alert">
          {found.message}
        </p>
        <Link href="/spaces">Back to your spaces</Link>
      </section>
    );
  }
  return (
    <>
      <p>
        <Link href="/spaces">Spaces</Link> / <Link href={`/spaces/${space}`}>{found.value.displayName}</Link> /
      </p>
      <h1 id="activity-title">Activity in {found.value.displayName}</h1>
      <section className="card" aria-labelledby="chart-heading">
        <h2 id="chart-heading">Last 30 days</h2>
        <ActivityChart space={space} />
      </section>
      <section className="card" aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Timeline</h2>
        {first.ok ? (
          <ActivityTimeline space={space} first={first.value} />
        ) : (
          <p className="error" role="alert">
            {first.message}
          </p>
        )}
      </section>
    </>
  );
}
