import { highlightedPieces, type Span } from "@/lib/highlights";

/** `text` (starting at `start` in its revision) with `spans` marked; text only, never HTML. */
export function Marked({ text, start = 0, spans }: { text: string; start?: number; spans: readonly Span[] }) {
  return (
    <>
      {highlightedPieces(text, start, spans).map((piece, index) =>
        piece.marked ? <mark key={index}>{piece.text}</mark> : <span key={index}>{piece.text}</span>,
      )}
    </>
  );
}
