import Link from "next/link";
import { getCanvas } from "@/api/canvas";
import { load } from "@/api/load";
import { tokenOrSignIn } from "@/api/session";
import { spaceName } from "@/api/views";
import { CanvasBoard } from "@/components/CanvasBoard";

/** One canvas, edited together over the WebSocket. */
export default async function CanvasPage({ params }: { params: Promise<{ space: string; canvas: string }> }) {
  const { space, canvas } = await params;
  const token = await tokenOrSignIn();
  const found = await load("this canvas", () => getCanvas(token, `${spaceName(space)}/canvases/${canvas}`));
  return (
    <>
      <p>
        <Link href={`/spaces/${space}`}>Space</Link> / <Link href={`/spaces/${space}/canvases`}>Canvases</Link> /
      </p>
      {found.ok ? (
        <>
          <h1 id="canvas-title">{found.value.title || "Untitled"}</h1>
          <CanvasBoard name={found.value.name} />
        </>
      ) : (
        <section className="card">
          <h1>Canvas</h1>
          <p className="error" role="alert">
            {found.message}
          </p>
        </section>
      )}
    </>
  );
}
