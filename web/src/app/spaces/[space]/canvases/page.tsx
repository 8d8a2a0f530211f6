import Link from "next/link";
import { listCanvases } from "@/api/canvas";
import { getSpace } from "@/api/knowledge";
import { load } from "@/api/load";
import { tokenOrSignIn } from "@/api/session";
import { spaceName } from "@/api/views";
import { CreateCanvasForm } from "@/components/CreateCanvasForm";

/** A space's canvases, and a new one. */
export default async function CanvasesPage({ params }: { params: Promise<{ space: string }> }) {
  const { space } = await params;
  const token = await tokenOrSignIn();
  const name = spaceName(space);
  const [found, canvases] = await Promise.all([
    load("this space", () => getSpace(token, name)),
    load("its canvases", () => listCanvases(token, name)),
  ]);
  return (
    <>
      <p>
        <Link href="/spaces">Spaces</Link> /{" "}
        <Link href={`/spaces/${space}`}>{found.ok ? found.value.displayName : space}</Link> /
      </p>
      <h1 id="canvases-title">Canvases</h1>
      <section className="card" aria-label="Canvases">
        {!canvases.ok ? (
          <p className="error" role="alert">
            {canvases.message}
          </p>
        ) : canvases.value.length === 0 ? (
          <p className="muted" id="no-canvases">
            No canvases yet.
          </p>
        ) : (
          <ul className="plain" id="canvases">
            {canvases.value.map((canvas) => (
              <li key={canvas.name}>
                <Link href={`/spaces/${space}/canvases/${canvas.id}`}>{canvas.title || "Untitled"}</Link>
              </li>
            ))}
          </ul>
        )}
        <CreateCanvasForm space={space} />
      </section>
    </>
  );
}
