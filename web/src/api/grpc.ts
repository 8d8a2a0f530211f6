// Server-side gRPC: one grpc-js channel to the platform's gRPC entrance (the edge's gRPC port
// locally, the mesh's ingress in a cluster), typed by the registry's protobuf-es descriptors.
// Every call carries a deadline; every failure becomes a PlatformError with its gRPC status.
import * as grpc from "@grpc/grpc-js";
import {
  create,
  fromBinary,
  toBinary,
  type DescMessage,
  type DescMethodUnary,
  type MessageInitShape,
  type MessageShape,
} from "@bufbuild/protobuf";
import { PlatformError } from "./errors";

/** How long one call may take, unless the caller says otherwise. */
export const DEFAULT_DEADLINE_MS = 5_000;

const TARGET = process.env.KNOWLEDGE_GRPC_TARGET ?? "127.0.0.1:8090";

interface Shared {
  client?: grpc.Client;
}
const shared = globalThis as typeof globalThis & { __knowledgeGrpc?: Shared };

function client(): grpc.Client {
  const state = (shared.__knowledgeGrpc ??= {});
  state.client ??= new grpc.Client(TARGET, grpc.credentials.createInsecure(), {
    "grpc.keepalive_time_ms": 30_000,
  });
  return state.client;
}

export interface CallOptions {
  /** The signed-in user's access token, sent as `authorization: Bearer ...`. */
  token?: string;
  deadlineMs?: number;
}

/** One unary call, e.g. `unary(SpaceService.method.listSpaces, {}, { token })`. */
export function unary<I extends DescMessage, O extends DescMessage>(
  method: DescMethodUnary<I, O>,
  input: MessageInitShape<I>,
  options: CallOptions = {},
): Promise<MessageShape<O>> {
  const path = `/${method.parent.typeName}/${method.name}`;
  const metadata = new grpc.Metadata();
  if (options.token) {
    metadata.set("authorization", `Bearer ${options.token}`);
  }
  const deadline = Date.now() + (options.deadlineMs ?? DEFAULT_DEADLINE_MS);
  return new Promise((resolve, reject) => {
    client().makeUnaryRequest(
      path,
      (message: MessageShape<I>) => Buffer.from(toBinary(method.input, message)),
      (bytes: Buffer) => fromBinary(method.output, bytes),
      create(method.input, input),
      metadata,
      { deadline },
      (error, value) => {
        if (error || value === undefined) {
          reject(PlatformError.fromGrpc(error, method.name));
        } else {
          resolve(value);
        }
      },
    );
  });
}
