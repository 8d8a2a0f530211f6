// ms_vector from the server: the signed-in user's search over the passages of every space they
// may read, over grpc-js.
import {
  SearchMode,
  VectorService,
} from "@knowledge/protos/knowledge/vector/v1/vector_service_pb";
import { unary } from "./grpc";

export type ModeName = "hybrid" | "lexical" | "dense";

const MODES: Record<ModeName, SearchMode> = {
  hybrid: SearchMode.HYBRID,
  lexical: SearchMode.LEXICAL,
  dense: SearchMode.DENSE,
};

export interface HitView {
  document: string;
  title: string;
  headingPath: string[];
  text: string;
  startOffset: number;
  endOffset: number;
  score: number;
  highlights: { startOffset: number; endOffset: number }[];
}

export function modeName(value: string | undefined): ModeName {
  return value === "lexical" || value === "dense" ? value : "hybrid";
}

export async function searchChunks(token: string, query: string, mode: ModeName): Promise<HitView[]> {
  const answer = await unary(
    VectorService.method.searchChunks,
    { query, mode: MODES[mode], pageSize: 10 },
    { token, deadlineMs: 10_000 },
  );
  return answer.results.map((result) => ({
    document: result.chunk?.document ?? "",
    title: result.chunk?.title ?? "",
    headingPath: result.chunk?.headingPath ?? [],
    text: result.chunk?.text ?? "",
    startOffset: result.chunk?.startOffset ?? 0,
    endOffset: result.chunk?.endOffset ?? 0,
    score: result.score,
    highlights: result.highlights.map((h) => ({ startOffset: h.startOffset, endOffset: h.endOffset })),
  }));
}
