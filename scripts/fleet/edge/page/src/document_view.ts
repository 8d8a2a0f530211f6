// One open document: shown as it is now, kept live by the WatchDocument server stream, editable.
import { Code, ConnectError } from "@connectrpc/connect";
import {
  DocumentChangeType,
  type WatchDocumentResponse,
} from "@knowledge/protos/knowledge/knowledge/v1/document_service_pb";
import type { Document } from "@knowledge/protos/knowledge/knowledge/v1/document_pb";
import { element, showError } from "./dom.js";
import type { Platform } from "./platform.js";

const CHANGE_WORDS: Record<DocumentChangeType, string> = {
  [DocumentChangeType.UNSPECIFIED]: "changed",
  [DocumentChangeType.SNAPSHOT]: "opened",
  [DocumentChangeType.CREATED]: "created",
  [DocumentChangeType.UPDATED]: "updated",
  [DocumentChangeType.DELETED]: "deleted",
};

export class DocumentView {
  private current?: Document;
  private watching?: AbortController;

  constructor(
    private readonly platform: Platform,
    private readonly me: string,
  ) {
    element("save-button").addEventListener("click", () => void this.save().catch(showError));
  }

  /** Show `name` and follow its changes until another document is opened. */
  open(name: string): void {
    this.close();
    element("save-status").textContent = "";
    const watching = new AbortController();
    this.watching = watching;
    element("document").hidden = false;
    element("document-status").textContent = "connecting…";
    void this.follow(name, watching.signal);
  }

  close(): void {
    this.watching?.abort();
    this.watching = undefined;
    this.current = undefined;
  }

  private async follow(name: string, signal: AbortSignal): Promise<void> {
    try {
      for await (const change of this.platform.documents.watchDocument({ name }, { signal })) {
        this.show(change);
      }
      element("document-status").textContent = "the stream ended";
    } catch (error) {
      if (ConnectError.from(error).code !== Code.Canceled) {
        showError(error);
        element("document-status").textContent = "not live any more: reopen the document";
      }
    }
  }

  private show(change: WatchDocumentResponse): void {
    const document = change.document;
    if (!document) {
      return;
    }
    const content = element<HTMLTextAreaElement>("document-content");
    const unsavedEdit = this.current !== undefined && content.value !== this.current.content;
    this.current = document;
    element("document-title").textContent = document.title;
    const editor = document.lastEditor || document.creator;
    element("document-meta").textContent =
      `revision ${document.revision} · last edited by ${editor === this.me ? "you" : editor}`;
    if (!unsavedEdit || change.changeType === DocumentChangeType.SNAPSHOT) {
      content.value = document.content;
    }
    element("document-status").textContent =
      `live · ${CHANGE_WORDS[change.changeType]} at revision ${document.revision}`;
  }

  private async save(): Promise<void> {
    if (!this.current) {
      return;
    }
    const content = element<HTMLTextAreaElement>("document-content").value;
    const answer = await this.platform.documents.updateDocument({
      document: { name: this.current.name, etag: this.current.etag, content },
      updateMask: { paths: ["content"] },
    });
    element("save-status").textContent = `saved revision ${answer.document?.revision}`;
  }
}
