// gRPC statuses as people understand them. Both grpc-js (server) and Connect (browser) use the
// gRPC status numbers, so one table serves both sides.

/** The gRPC status codes the app tells apart (same numbers as grpc-js `status` and Connect `Code`). */
export const Status = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

export type Problem =
  | "stale"
  | "forbidden"
  | "missing"
  | "exists"
  | "invalid"
  | "signed-out"
  | "unavailable"
  | "busy"
  | "failed";

export class PlatformError extends Error {
  constructor(
    readonly code: number,
    readonly detail: string,
    readonly method: string,
  ) {
    super(`${method}: ${detail} (gRPC status ${code})`);
    this.name = "PlatformError";
  }

  static fromGrpc(error: { code?: number; details?: string } | null, method: string): PlatformError {
    return new PlatformError(error?.code ?? Status.UNKNOWN, error?.details ?? "no answer", method);
  }

  get problem(): Problem {
    return problemOf(this.code);
  }
}

export function problemOf(code: number): Problem {
  switch (code) {
    case Status.ABORTED:
      return "stale";
    case Status.PERMISSION_DENIED:
      return "forbidden";
    case Status.NOT_FOUND:
      return "missing";
    case Status.ALREADY_EXISTS:
      return "exists";
    case Status.INVALID_ARGUMENT:
    case Status.FAILED_PRECONDITION:
      return "invalid";
    case Status.UNAUTHENTICATED:
      return "signed-out";
    case Status.UNAVAILABLE:
    case Status.DEADLINE_EXCEEDED:
    case Status.CANCELLED:
      return "unavailable";
    case Status.RESOURCE_EXHAUSTED:
      return "busy";
    default:
      return "failed";
  }
}

/** What a person reads for a failed call about `what` ("this document", "the space"). */
export function explain(code: number, detail: string, what: string): string {
  switch (problemOf(code)) {
    case "stale":
      return `Someone else saved ${what} after you opened it. Load their version to go on; copy your text first to keep it.`;
    case "forbidden":
      return `Your role does not allow this on ${what}: viewers can read, editors can also write and restore, and only owners manage members.`;
    case "missing":
      return `${capitalised(what)} no longer exists, or you are no longer a member of its space.`;
    case "exists":
      return `${capitalised(what)} already exists.`;
    case "invalid":
      return `${capitalised(what)} was not accepted: ${detail}.`;
    case "signed-out":
      return "Your session has ended. Sign in again.";
    case "unavailable":
      return "The platform did not answer in time. Try again in a moment.";
    case "busy":
      return "Too many attempts. Wait a little, then try again.";
    default:
      return `Something went wrong with ${what} (${detail}).`;
  }
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
