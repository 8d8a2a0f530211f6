// A passage cut into plain and marked pieces, from spans given as offsets in the document's
// revision, counted in Unicode code points (as the services count them).

export interface Piece {
  text: string;
  marked: boolean;
}

export interface Span {
  startOffset: number;
  endOffset: number;
}

/** `text` starts at `start` in its revision; each span is clipped to it, overlaps merged. */
export function highlightedPieces(text: string, start: number, spans: readonly Span[]): Piece[] {
  const points = Array.from(text);
  const ranges = spans
    .map((span) => [Math.max(0, span.startOffset - start), Math.min(points.length, span.endOffset - start)] as const)
    .filter(([from, to]) => from < to)
    .sort((a, b) => a[0] - b[0]);
  const pieces: Piece[] = [];
  let at = 0;
  for (const [from, to] of ranges) {
    if (to <= at) {
      continue;
    }
    const begin = Math.max(from, at);
    if (begin > at) {
      pieces.push({ text: points.slice(at, begin).join(""), marked: false });
    }
    const last = pieces[pieces.length - 1];
    if (begin === at && last?.marked) {
      last.text += points.slice(begin, to).join("");
    } else {
      pieces.push({ text: points.slice(begin, to).join(""), marked: true });
    }
    at = to;
  }
  if (at < points.length) {
    pieces.push({ text: points.slice(at).join(""), marked: false });
  }
  return pieces;
}

/** The UTF-16 index (what a textarea counts) of code point `offset` in `text`. */
export function utf16Index(text: string, offset: number): number {
  return Array.from(text).slice(0, Math.max(0, offset)).join("").length;
}

/** Where a passage opens: the document's page with the passage's offsets. */
export function passageHref(document: string, from: number, to: number): string {
  return `/${document}?from=${from}&to=${to}`;
}
