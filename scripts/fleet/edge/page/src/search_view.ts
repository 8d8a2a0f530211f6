// The search box: the signed-in user's query answered by ms_vector's SearchChunks, from the
// spaces that user may read, each hit with its passage and the query's words marked.
import { ConnectError } from "@connectrpc/connect";
import {
  SearchMode,
  type SearchResult,
} from "@knowledge/protos/knowledge/vector/v1/vector_service_pb";
import { element, inputValue } from "./dom.js";
import { highlightedPieces } from "./highlights.js";
import type { Platform } from "./platform.js";

const PAGE_SIZE = 10;
/** The choices of the mode list, by their option values. */
const MODES: Record<string, SearchMode> = {
  hybrid: SearchMode.HYBRID,
  lexical: SearchMode.LEXICAL,
  dense: SearchMode.DENSE,
};

export class SearchView {
  /** Counts searches, so the answer to an older one never replaces a newer one's. */
  private latest = 0;

  constructor(private readonly platform: Platform) {
    element("search-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const mode = MODES[element<HTMLSelectElement>("search-mode").value] ?? SearchMode.HYBRID;
      void this.search(inputValue("search-query"), mode);
    });
  }

  private async search(query: string, mode: SearchMode): Promise<void> {
    const asked = ++this.latest;
    const status = element("search-status");
    status.classList.remove("error");
    status.textContent = "searching…";
    try {
      const { results } = await this.platform.vector.searchChunks({
        query,
        mode,
        pageSize: PAGE_SIZE,
      });
      if (asked !== this.latest) {
        return;
      }
      element("search-results").replaceChildren(...results.map(hitItem));
      status.textContent = results.length
        ? `${results.length} passage${results.length === 1 ? "" : "s"} for “${query}”`
        : `nothing found for “${query}” in the spaces you can read`;
    } catch (error) {
      if (asked !== this.latest) {
        return;
      }
      element("search-results").replaceChildren();
      status.classList.add("error");
      status.textContent = `search failed: ${ConnectError.from(error).message}`;
    }
  }
}

/** One hit: its document's title, where in the document, the passage, the score. */
function hitItem(result: SearchResult): HTMLLIElement {
  const chunk = result.chunk;
  const item = document.createElement("li");
  item.className = "search-hit";
  item.dataset.document = chunk?.document ?? "";

  const title = document.createElement("strong");
  title.className = "hit-title";
  title.textContent = chunk?.title || "(untitled)";
  const path = document.createElement("span");
  path.className = "hit-path";
  path.textContent = chunk?.headingPath.join(" › ") ?? "";
  const score = document.createElement("span");
  score.className = "hit-score";
  score.textContent = `score ${result.score.toFixed(3)}`;
  const heading = document.createElement("div");
  heading.append(title, " ", path, path.textContent ? " · " : " ", score);

  const passage = document.createElement("p");
  passage.className = "hit-text";
  for (const piece of highlightedPieces(
    chunk?.text ?? "",
    chunk?.startOffset ?? 0,
    result.highlights,
  )) {
    if (piece.marked) {
      const mark = document.createElement("mark");
      mark.textContent = piece.text;
      passage.append(mark);
    } else {
      passage.append(piece.text);
    }
  }
  item.append(heading, passage);
  return item;
}
