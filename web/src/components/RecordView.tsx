"use client";
// Reports, once per opening, that the user viewed a document (ms_activity's document.viewed),
// with an id made here so a retry after a refusal is recorded once. Shows nothing.
import { useEffect } from "react";
import { documentViewedAction } from "@/actions/activity";
import { newUuid } from "@/lib/uuid";

const ATTEMPTS = 6;

export function RecordView({ document, title }: { document: string; title: string }) {
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const id = newUuid();
    const attempt = async (left: number): Promise<void> => {
      const result = await documentViewedAction(id, document, title);
      if (!stopped && "retryInMs" in result && result.retryInMs && left > 1) {
        timer = setTimeout(() => void attempt(left - 1).catch(() => undefined), result.retryInMs);
      }
    };
    attempt(ATTEMPTS).catch(() => undefined);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [document, title]);
  return null;
}
