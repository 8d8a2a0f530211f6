// A passage cut into plain and highlighted pieces, from highlights given as offsets in the
// document's revision (Unicode code points, as the passage's own start offset is).

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
  // Offsets count code points; a JavaScript string counts UTF-16 units.
  const points = Array.from(text);
  const ranges = spans
    .map((span) => [
      Math.max(0, span.startOffset - start),
      Math.min(points.length, span.endOffset - start),
    ])
    .filter(([from, to]) => from < to)
    .sort((a, b) => a[0] - b[0]);
  const pieces: Piece[] = [];
  let at = 0;
  for (const [from, to] of ranges) {
    if (to <= at) {
      continue;
    }
    const begin = Math.max(from, at);
    const last = pieces[pieces.length - 1];
    if (begin > at) {
      pieces.push({ text: points.slice(at, begin).join(""), marked: false });
      pieces.push({ text: points.slice(begin, to).join(""), marked: true });
    } else if (last?.marked) {
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
