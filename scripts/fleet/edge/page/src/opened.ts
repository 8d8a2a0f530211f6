// What the user opens (a space, a document), announced on the page for the views that follow it
// (the activity panel shows the open space; the reporter records what was viewed).
import type { Document } from "@knowledge/protos/knowledge/knowledge/v1/document_pb";
import type { Space } from "@knowledge/protos/knowledge/knowledge/v1/space_pb";

const SPACE_OPENED = "space-opened";
const DOCUMENT_OPENED = "document-opened";

export function announceSpace(space: Space): void {
  document.dispatchEvent(new CustomEvent<Space>(SPACE_OPENED, { detail: space }));
}

export function announceDocument(opened: Document): void {
  document.dispatchEvent(new CustomEvent<Document>(DOCUMENT_OPENED, { detail: opened }));
}

export function onSpaceOpened(listener: (space: Space) => void): void {
  document.addEventListener(SPACE_OPENED, (event) =>
    listener((event as CustomEvent<Space>).detail),
  );
}

export function onDocumentOpened(listener: (opened: Document) => void): void {
  document.addEventListener(DOCUMENT_OPENED, (event) =>
    listener((event as CustomEvent<Document>).detail),
  );
}
