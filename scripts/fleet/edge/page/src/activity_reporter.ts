// What only the page sees (a document viewed, a search run), reported to ms_activity in batches
// with RecordActivities. Each activity carries its own UUID, so a batch sent again after a failure
// is recorded once; a refused rate waits the seconds the refusal names.
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ReportedActivitySchema } from "@knowledge/protos/knowledge/activity/v1/activity_service_pb";
import type { Platform } from "./platform.js";

const FLUSH_MS = 2000;
const MAX_BATCH = 100;
const RETRY_MS = 5000;
/** A batch refused as not yet allowed (the space's membership still on its way) is tried this
 * many times before it is dropped. */
const ATTEMPTS = 6;
const SOURCE = "web";

type ReportedActivityInit = MessageInitShape<typeof ReportedActivitySchema>;

/** Called with the spaces of a batch just recorded and its size. */
export type Recorded = (spaces: Set<string>, count: number) => void;

export class ActivityReporter {
  private queue: ReportedActivityInit[] = [];
  private timer?: number;
  private attempts = 0;
  private sending = false;

  constructor(
    private readonly platform: Platform,
    private readonly recorded: Recorded,
    private readonly status: (text: string) => void,
  ) {}

  /** `verb` (document.viewed, search.run, ...) on `subject` in `space`, as of now. */
  report(verb: string, subject: string, space: string, properties: Record<string, string>): void {
    this.queue.push({
      id: newId(),
      verb,
      subject,
      space,
      occurTime: timestampFromDate(new Date()),
      properties,
    });
    this.schedule(this.queue.length >= MAX_BATCH ? 0 : FLUSH_MS);
  }

  private schedule(delay: number): void {
    if (this.timer !== undefined || this.sending) {
      return;
    }
    this.timer = window.setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delay);
  }

  private async flush(): Promise<void> {
    const batch = this.queue.slice(0, MAX_BATCH);
    if (!batch.length) {
      return;
    }
    this.sending = true;
    let retryIn = 0;
    try {
      await this.platform.activity.recordActivities({ activities: batch, source: SOURCE });
      this.queue.splice(0, batch.length);
      this.attempts = 0;
      this.recorded(new Set(batch.map((one) => one.space ?? "")), batch.length);
    } catch (error) {
      retryIn = this.failed(ConnectError.from(error), batch.length);
    } finally {
      this.sending = false;
    }
    if (this.queue.length) {
      this.schedule(retryIn || (this.queue.length >= MAX_BATCH ? 0 : FLUSH_MS));
    }
  }

  /** How long to wait before sending again (the batch dropped when it cannot succeed). */
  private failed(error: ConnectError, size: number): number {
    if (error.code === Code.ResourceExhausted) {
      const seconds = Number(/retry in (\d+) seconds/.exec(error.rawMessage)?.[1] ?? "");
      this.status(`activity not recorded yet: ${error.rawMessage}`);
      return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : RETRY_MS;
    }
    const passing = error.code === Code.Unavailable || error.code === Code.PermissionDenied;
    if (passing && ++this.attempts < ATTEMPTS) {
      return RETRY_MS;
    }
    this.queue.splice(0, size);
    this.attempts = 0;
    this.status(`activity not recorded: ${error.rawMessage}`);
    return 0;
  }
}

/** A random (version 4) UUID, from the browser's cryptographic generator. */
function newId(): string {
  if (typeof crypto.randomUUID === "function") {
    return crypto.randomUUID();
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
