import Link from "next/link";
import { load } from "@/api/load";
import { tokenOrSignIn } from "@/api/session";
import { modeName, searchChunks } from "@/api/vector";
import { Marked } from "@/components/Marked";
import { passageHref } from "@/lib/highlights";

export const metadata = { title: "Search · Knowledge" };

export default async function SearchPage({
  searchParams,
}: {
  searchParams: Promise<{ q?: string; mode?: string }>;
}) {
  const { q, mode: asked } = await searchParams;
  const query = (q ?? "").trim();
  const mode = modeName(asked);
  const token = await tokenOrSignIn();
  const hits = query ? await load("the search", () => searchChunks(token, query, mode)) : null;
  return (
    <>
      <h1>Search</h1>
      <section className="card">
        <form className="row" action="/search" role="search">
          <label>
            Words or a question
            <input id="search-query" name="q" defaultValue={query} required />
          </label>
          <label>
            By
            <select id="search-mode" name="mode" defaultValue={mode}>
              <option value="hybrid">meaning and words</option>
              <option value="lexical">words</option>
              <option value="dense">meaning</option>
            </select>
          </label>
          <button type="submit" id="search-button">
            Search
          </button>
        </form>
      </section>
      {hits === null ? (
        <p className="muted">Searches every space you can read. A saved edit is found within seconds.</p>
      ) : !hits.ok ? (
        <p className="error" role="alert">
          {hits.message}
        </p>
      ) : hits.value.length === 0 ? (
        <p className="muted" id="search-status">
          Nothing found for “{query}” in the spaces you can read.
        </p>
      ) : (
        <section className="card" aria-labelledby="hits-heading">
          <h2 id="hits-heading">
            {hits.value.length} passage{hits.value.length === 1 ? "" : "s"} for “{query}”
          </h2>
          <ul className="plain" id="search-results">
            {hits.value.map((hit) => (
              <li key={`${hit.document}:${hit.startOffset}`} className="search-hit">
                <Link href={passageHref(hit.document, hit.startOffset, hit.endOffset)}>
                  {hit.title || "Untitled"}
                </Link>{" "}
                <span className="muted">
                  {hit.headingPath.join(" › ")} · score {hit.score.toFixed(3)}
                </span>
                <p className="passage">
                  <Marked text={hit.text} start={hit.startOffset} spans={hit.highlights} />
                </p>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
