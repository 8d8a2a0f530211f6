"use client";
// Asking ms_chat: the answer streams in over gRPC-web (StreamAnswer through the edge); each
// citation opens the passage it cites, and marks the part of the answer it supports.
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { startConversation } from "@/actions/chat";
import { streamToken } from "@/api/stream_token";
import { explain } from "@/api/errors";
import { streamAnswer, type AnswerEnding, type CitationView } from "@/api/grpc_web";
import { passageHref } from "@/lib/highlights";
import { Code, ConnectError } from "@connectrpc/connect";
import { Marked } from "./Marked";

const ENDINGS: Record<AnswerEnding, string> = {
  complete: "answered from your passages, every claim cited",
  stopped: "stopped; the text so far is kept",
  "no-answer": "no answer: the passages you can read do not answer this question",
  failed: "the answer failed",
  answered: "answered",
};

export function Ask() {
  const [question, setQuestion] = useState("");
  const [conversation, setConversation] = useState("");
  const [text, setText] = useState("");
  const [citations, setCitations] = useState<CitationView[]>([]);
  const [status, setStatus] = useState("");
  const [state, setState] = useState<"idle" | "asking" | AnswerEnding | "error">("idle");
  const [marked, setMarked] = useState<CitationView | null>(null);
  const running = useRef<AbortController | null>(null);

  useEffect(() => () => running.current?.abort(), []);

  async function ask(asked: string): Promise<void> {
    running.current?.abort();
    const stop = new AbortController();
    running.current = stop;
    setText("");
    setCitations([]);
    setMarked(null);
    setState("asking");
    setStatus("asking…");
    let into = conversation;
    if (!into) {
      const started = await startConversation(asked);
      if (!("conversation" in started)) {
        setState("error");
        setStatus(started.error ?? "");
        return;
      }
      into = started.conversation;
      setConversation(into);
    }
    try {
      for await (const event of streamAnswer(into, asked, await streamToken(), stop.signal)) {
        switch (event.kind) {
          case "question":
            setStatus("looking for passages…");
            break;
          case "sources":
            setStatus(`answering from ${event.count} passage${event.count === 1 ? "" : "s"}…`);
            break;
          case "token":
            setText((known) => known + event.text);
            break;
          case "citation":
            setCitations((known) => [...known, event.citation]);
            break;
          case "answer":
            setText(event.text);
            setCitations(event.citations);
            setState(event.status);
            setStatus(ENDINGS[event.status]);
            break;
        }
      }
    } catch (error) {
      if (stop.signal.aborted) {
        return;
      }
      const failure = ConnectError.from(error);
      setState("error");
      setStatus(failure.code === Code.Canceled ? "stopped" : explain(failure.code, failure.rawMessage, "the answer"));
    }
  }

  return (
    <>
      <section className="card">
        <form
          className="row"
          onSubmit={(event) => {
            event.preventDefault();
            if (question.trim()) {
              void ask(question.trim());
            }
          }}
        >
          <label style={{ flex: "1 1 20rem" }}>
            Your question
            <input id="chat-question" value={question} onChange={(event) => setQuestion(event.target.value)} required />
          </label>
          <button type="submit" id="chat-ask-button" disabled={state === "asking"}>
            Ask
          </button>
        </form>
      </section>
      {state !== "idle" ? (
        <section className="card" aria-labelledby="answer-heading" aria-busy={state === "asking"}>
          <h2 id="answer-heading">Answer</h2>
          <p className={state === "error" || state === "failed" ? "error" : "status"} id="chat-status" data-status={state} role="status">
            {status}
          </p>
          <p className="passage" id="chat-answer">
            <Marked
              text={text}
              spans={marked ? [{ startOffset: marked.answerStartOffset, endOffset: marked.answerEndOffset }] : []}
            />
          </p>
          {citations.length ? (
            <ol id="chat-citations">
              {citations.map((citation, index) => (
                <li key={`${citation.document}:${citation.startOffset}:${index}`} className="chat-citation">
                  {citation.unavailable ? (
                    <span className="muted">a passage you can no longer read</span>
                  ) : (
                    <>
                      <Link
                        href={passageHref(citation.document, citation.startOffset, citation.endOffset)}
                        onMouseEnter={() => setMarked(citation)}
                        onFocus={() => setMarked(citation)}
                      >
                        {citation.title || "Untitled"}
                      </Link>{" "}
                      <span className="muted">“{citation.snippet}”</span>
                    </>
                  )}
                </li>
              ))}
            </ol>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
