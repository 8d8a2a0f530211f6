// A training job's log in the browser, live: ms_ml's StreamTrainingJobLogs over gRPC-web through
// the edge (it replays the log first, then follows it), resumed after the last line it saw.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { TrainingService } from "@knowledge/protos/knowledge/ml/v1/training_service_pb";
import { jobView, type JobView } from "./ml_views";

export interface LogLine {
  sequence: number;
  text: string;
  metric?: { name: string; step: number; value: number };
}

export interface LogFollower {
  onLine(line: LogLine): void;
  onJob(job: JobView): void;
  onState(state: "connecting" | "live" | "ended" | "closed", detail?: string): void;
}

const RETRY_MS = 1000;
const FINISHED = new Set(["succeeded", "failed", "cancelled"]);

export async function followJobLog(
  name: string,
  token: () => Promise<string | undefined>,
  follower: LogFollower,
  signal: AbortSignal,
): Promise<void> {
  const transport = createGrpcWebTransport({ baseUrl: window.location.origin, useBinaryFormat: true });
  const training = createClient(TrainingService, transport);
  let after = 0n;
  let finished = false;
  while (!signal.aborted && !finished) {
    follower.onState("connecting");
    try {
      const bearer = await token();
      const headers: Record<string, string> = bearer ? { authorization: `Bearer ${bearer}` } : {};
      for await (const message of training.streamTrainingJobLogs({ name, afterSequence: after }, { signal, headers })) {
        follower.onState("live");
        const event = message.event;
        if (event.case === "entry") {
          after = event.value.sequence;
          const entry = event.value.entry;
          if (entry.case === "logLine") {
            follower.onLine({ sequence: Number(after), text: entry.value });
          } else if (entry.case === "metricPoint") {
            const point = { name: entry.value.metric, step: Number(entry.value.step), value: entry.value.value };
            follower.onLine({
              sequence: Number(after),
              text: `${point.name} = ${point.value.toFixed(4)} at step ${point.step}`,
              metric: point,
            });
          }
        } else if (event.case === "trainingJob") {
          const job = jobView(event.value);
          follower.onJob(job);
          finished = FINISHED.has(job.state);
        }
      }
      // The stream ends once the job has finished and its log is all sent.
      finished = true;
    } catch (error) {
      if (signal.aborted) {
        break;
      }
      const failure = ConnectError.from(error);
      if (failure.code === Code.NotFound || failure.code === Code.PermissionDenied) {
        follower.onState("closed", failure.rawMessage);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
  follower.onState(finished ? "ended" : "closed");
}
