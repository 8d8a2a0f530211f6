// The chat panel: a question answered by ms_chat from the passages the signed-in user may read,
// streamed over gRPC-web (StreamAnswer): the passages retrieved, the text as it comes, each
// citation as it is made, then the stored answer and how it ended. A citation, clicked, shows
// its passage and marks the span of the answer it supports. Service text is only ever set as text.
import { ConnectError } from "@connectrpc/connect";
import type { StreamAnswerResponse } from "@knowledge/protos/knowledge/chat/v1/chat_service_pb";
import {
  AnswerStatus,
  type Citation,
} from "@knowledge/protos/knowledge/chat/v1/conversation_pb";
import { element, inputValue } from "./dom.js";
import { highlightedPieces } from "./highlights.js";
import type { Platform } from "./platform.js";

/** What the status line says once the answer is stored, by how it ended. */
const ENDINGS: Record<AnswerStatus, string> = {
  [AnswerStatus.UNSPECIFIED]: "answered",
  [AnswerStatus.ANSWERING]: "answering…",
  [AnswerStatus.COMPLETE]: "answered from your passages, every claim cited",
  [AnswerStatus.STOPPED]: "stopped; the text so far is kept",
  [AnswerStatus.NO_ANSWER]: "no answer: the passages you can read do not answer this question",
  [AnswerStatus.FAILED]: "the answer failed",
};

export class ChatView {
  private conversation = "";
  private text = "";
  private citations: Citation[] = [];
  /** Counts questions, so an older stream never writes over a newer one's answer. */
  private latest = 0;

  constructor(
    private readonly platform: Platform,
    private readonly user: string,
  ) {
    element("chat-form").addEventListener("submit", (event) => {
      event.preventDefault();
      void this.ask(inputValue("chat-question"));
    });
  }

  private async ask(question: string): Promise<void> {
    const asked = ++this.latest;
    const status = element("chat-status");
    status.classList.remove("error");
    status.dataset.status = "asking";
    status.textContent = "asking…";
    this.text = "";
    this.citations = [];
    element("chat-answer").dataset.pieces = "0";
    this.showPassage(undefined);
    this.render();
    try {
      if (!this.conversation) {
        const { conversation } = await this.platform.chat.createConversation({
          parent: this.user,
          conversation: { title: question.slice(0, 80) },
        });
        this.conversation = conversation?.name ?? "";
      }
      const stream = this.platform.chat.streamAnswer({
        parent: this.conversation,
        content: question,
      });
      for await (const message of stream) {
        if (asked !== this.latest) {
          return;
        }
        this.apply(message);
      }
    } catch (error) {
      if (asked !== this.latest) {
        return;
      }
      status.classList.add("error");
      status.dataset.status = "error";
      status.textContent = `asking failed: ${ConnectError.from(error).message}`;
    }
  }

  private apply(message: StreamAnswerResponse): void {
    const status = element("chat-status");
    const event = message.event;
    switch (event.case) {
      case "question":
        status.textContent = "looking for passages…";
        return;
      case "sources": {
        const count = event.value.passages.length;
        status.dataset.status = "answering";
        status.textContent = `answering from ${count} passage${count === 1 ? "" : "s"}…`;
        return;
      }
      case "token": {
        this.text += event.value;
        const answer = element("chat-answer");
        answer.dataset.pieces = String(Number(answer.dataset.pieces ?? "0") + 1);
        this.render();
        return;
      }
      case "citation":
        this.citations.push(event.value);
        this.render();
        return;
      case "answer": {
        this.text = event.value.content;
        this.citations = event.value.citations;
        this.render();
        const ending = event.value.status;
        status.dataset.status = AnswerStatus[ending].toLowerCase().replace("_", "-");
        status.classList.toggle("error", ending === AnswerStatus.FAILED);
        status.textContent = ENDINGS[ending];
        return;
      }
    }
  }

  /** The answer's text (with the clicked citation's span marked) and its citations. */
  private render(marked?: Citation): void {
    const answer = element("chat-answer");
    answer.replaceChildren();
    const spans = marked
      ? [{ startOffset: marked.answerStartOffset, endOffset: marked.answerEndOffset }]
      : [];
    for (const piece of highlightedPieces(this.text, 0, spans)) {
      if (piece.marked) {
        const mark = document.createElement("mark");
        mark.textContent = piece.text;
        answer.append(mark);
      } else {
        answer.append(piece.text);
      }
    }
    element("chat-citations").replaceChildren(
      ...this.citations.map((citation, index) => this.citationItem(citation, index + 1)),
    );
  }

  private citationItem(citation: Citation, number: number): HTMLLIElement {
    const item = document.createElement("li");
    item.className = "chat-citation";
    item.dataset.document = citation.document;
    const link = document.createElement("a");
    link.href = "#chat-passage";
    link.textContent = citation.unavailable
      ? `[${number}] (a passage you can no longer read)`
      : `[${number}] ${citation.title || "(untitled)"}`;
    link.addEventListener("click", (event) => {
      event.preventDefault();
      this.render(citation);
      this.showPassage(citation);
    });
    item.append(link);
    return item;
  }

  private showPassage(citation: Citation | undefined): void {
    const passage = element("chat-passage");
    passage.hidden = !citation;
    element("chat-passage-title").textContent = citation?.title || "(untitled)";
    element("chat-passage-text").textContent = citation?.unavailable
      ? "you can no longer read this passage"
      : (citation?.snippet ?? "");
  }
}
