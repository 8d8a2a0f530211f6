"use client";
// The open document: edited here, saved by a Server Action, and followed live over gRPC-web
// (WatchDocument through the edge), so edits made anywhere else appear without a reload.
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState, useTransition } from "react";
import { restoreVersionAction, saveDocumentAction, type SaveResult } from "@/actions/knowledge";
import { streamToken } from "@/api/stream_token";
import { followDocument, type StreamState } from "@/api/grpc_web";
import type { DocumentView, VersionView } from "@/api/views";
import { utf16Index } from "@/lib/highlights";
import { LocalTime } from "./LocalTime";
import { Marked } from "./Marked";

const STATE_TEXT: Record<StreamState, string> = {
  connecting: "connecting…",
  live: "live: changes made elsewhere appear here",
  reconnecting: "connection lost, reconnecting…",
  deleted: "this document was deleted",
  closed: "not following changes",
};

interface Notice {
  kind: "stale" | "elsewhere" | "error";
  message: string;
}

function saved(result: SaveResult): result is { document: DocumentView } {
  return "document" in result;
}

export function DocumentEditor({
  initial,
  versions,
  passage,
}: {
  initial: DocumentView;
  versions: VersionView[];
  /** A passage to open at (from search or a citation), in code points of the content. */
  passage?: { from: number; to: number };
}) {
  const router = useRouter();
  const [base, setBase] = useState(initial);
  const [latest, setLatest] = useState(initial);
  const [title, setTitle] = useState(initial.title);
  const [content, setContent] = useState(initial.content);
  const [stream, setStream] = useState<StreamState>("connecting");
  const [notice, setNotice] = useState<Notice | null>(null);
  const [saveStatus, setSaveStatus] = useState("");
  const [busy, startTransition] = useTransition();
  const dirty = title !== base.title || content !== base.content;
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;

  const contentBox = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const box = contentBox.current;
    if (passage && box) {
      box.focus();
      box.setSelectionRange(utf16Index(initial.content, passage.from), utf16Index(initial.content, passage.to));
    }
  }, [passage?.from, passage?.to, initial.content]);

  const adopt = useCallback((document: DocumentView) => {
    setBase(document);
    setLatest(document);
    setTitle(document.title);
    setContent(document.content);
    setNotice(null);
  }, []);

  useEffect(() => {
    const stop = new AbortController();
    void followDocument(
      initial.name,
      streamToken,
      {
        onDocument(document) {
          setLatest((known) => (document.revision >= known.revision ? document : known));
          setBase((known) => {
            if (document.revision <= known.revision) {
              return known;
            }
            if (dirtyRef.current) {
              setNotice({
                kind: "elsewhere",
                message: `Revision ${document.revision} was saved elsewhere while you were editing.`,
              });
              return known;
            }
            setTitle(document.title);
            setContent(document.content);
            return document;
          });
        },
        onState(state, detail) {
          setStream(state);
          if (detail === "forbidden") {
            setNotice({ kind: "error", message: "You can no longer read this document: you were removed from its space." });
          }
        },
      },
      stop.signal,
    ).catch(() => setStream("closed"));
    return () => stop.abort();
  }, [initial.name]);

  const save = () =>
    startTransition(async () => {
      setSaveStatus("saving…");
      const sent = { title, content };
      const result = await saveDocumentAction(base.name, base.etag, sent.title, sent.content);
      if (saved(result)) {
        // What was typed while the save was on its way stays, as unsaved changes.
        const document = result.document;
        setBase(document);
        setLatest((known) => (document.revision >= known.revision ? document : known));
        setTitle((typed) => (typed === sent.title ? document.title : typed));
        setContent((typed) => (typed === sent.content ? document.content : typed));
        setNotice(null);
        setSaveStatus(`saved revision ${document.revision}`);
        router.refresh();
      } else {
        setSaveStatus("not saved");
        setNotice({ kind: result.problem === "stale" ? "stale" : "error", message: result.error ?? "" });
      }
    });

  const restore = (version: VersionView) =>
    startTransition(async () => {
      const result = await restoreVersionAction(version.name, latest.etag);
      if (saved(result)) {
        adopt(result.document);
        setSaveStatus(`restored revision ${version.revision} as revision ${result.document.revision}`);
        router.refresh();
      } else {
        setNotice({ kind: result.problem === "stale" ? "stale" : "error", message: result.error ?? "" });
      }
    });

  return (
    <div className="columns">
      <section className="card" aria-labelledby="document-heading">
        <h1 id="document-heading" className="sr-only">
          {base.title || "Untitled"}
        </h1>
        <p className="status" id="document-status" role="status">
          {STATE_TEXT[stream]}
        </p>
        {notice ? (
          <div className="notice" role="alert" id="document-notice">
            <span>{notice.message}</span>
            {notice.kind !== "error" ? (
              <button type="button" className="quiet" id="reload-button" onClick={() => adopt(latest)}>
                Load revision {latest.revision}
              </button>
            ) : null}
          </div>
        ) : null}
        {passage ? (
          <figure className="opened-passage" id="opened-passage">
            <figcaption className="muted">The passage you opened, marked:</figcaption>
            <blockquote className="passage">
              <Marked
                text={Array.from(initial.content).slice(Math.max(0, passage.from - 80), passage.to + 80).join("")}
                start={Math.max(0, passage.from - 80)}
                spans={[{ startOffset: passage.from, endOffset: passage.to }]}
              />
            </blockquote>
          </figure>
        ) : null}
        <form
          className="stack"
          style={{ maxWidth: "none" }}
          onSubmit={(event) => {
            event.preventDefault();
            save();
          }}
        >
          <label>
            Title
            <input id="document-title" value={title} onChange={(event) => setTitle(event.target.value)} />
          </label>
          <label>
            Content
            <textarea ref={contentBox} id="document-content" value={content} onChange={(event) => setContent(event.target.value)} />
          </label>
          <div className="row" style={{ display: "flex", gap: "0.6rem", alignItems: "center" }}>
            <button type="submit" id="save-button" disabled={busy || !dirty}>
              {busy ? "Saving…" : "Save"}
            </button>
            <span className="status" id="save-status" role="status">
              {saveStatus || (dirty ? "unsaved changes" : `revision ${base.revision}`)}
            </span>
          </div>
        </form>
      </section>
      <section className="card" aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        {versions.length === 0 ? (
          <p className="muted">No earlier revisions yet.</p>
        ) : (
          <ul className="plain" id="history">
            {versions.map((version) => (
              <li key={version.name}>
                <strong>revision {version.revision}</strong>{" "}
                <span className="muted">
                  {version.title} · <LocalTime iso={version.createTime} />
                  {version.restoredFromRevision ? ` · restored from ${version.restoredFromRevision}` : ""}
                </span>{" "}
                {version.revision !== latest.revision ? (
                  <button
                    type="button"
                    className="quiet"
                    disabled={busy}
                    onClick={() => restore(version)}
                    aria-label={`Restore revision ${version.revision}`}
                  >
                    Restore
                  </button>
                ) : (
                  <span className="muted">(current)</span>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
