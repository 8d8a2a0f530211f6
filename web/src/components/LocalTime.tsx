"use client";
// An instant in the browser's own time zone (the server knows no reader's zone: until the page
// is live it shows UTC).
import { useEffect, useState } from "react";

export function LocalTime({ iso, className }: { iso: string; className?: string }) {
  const [shown, setShown] = useState(() => `${iso.slice(0, 16).replace("T", " ")} UTC`);
  useEffect(() => setShown(new Date(iso).toLocaleString()), [iso]);
  return (
    <time className={className} dateTime={iso}>
      {shown}
    </time>
  );
}
