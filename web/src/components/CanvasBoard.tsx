"use client";
// One canvas, edited together: its nodes as boxes from the shared Yjs document (y-websocket over
// ms_canvas's WebSocket); a node added or dragged here reaches everyone else at once, and theirs
// here. Boxes move with the pointer or, once focused, with the arrow keys.
import { useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from "react";
import { streamToken } from "@/api/stream_token";
import { joinCanvas, type CanvasSession, type NodeShape, type SocketState } from "@/api/canvas_socket";
import { newUuid } from "@/lib/uuid";
import styles from "./CanvasBoard.module.css";

const STEP = 10;

export function CanvasBoard({ name }: { name: string }) {
  const session = useRef<CanvasSession | null>(null);
  const [nodes, setNodes] = useState<NodeShape[]>([]);
  const [state, setState] = useState<SocketState | "signed-out">("connecting");
  const [label, setLabel] = useState("");

  useEffect(() => {
    let left = false;
    streamToken()
      .then((token) => {
        if (left) {
          return;
        }
        if (!token) {
          setState("signed-out");
          return;
        }
        const joined = joinCanvas(name, token, streamToken, () => setNodes(joined.nodes()), setState, newUuid);
        session.current = joined;
        setNodes(joined.nodes());
      })
      .catch(() => setState("disconnected"));
    return () => {
      left = true;
      session.current?.close();
      session.current = null;
    };
  }, [name]);

  const add = () => {
    const text = label.trim();
    if (text && session.current) {
      session.current.add(text);
      setLabel("");
    }
  };

  const drag = (node: NodeShape) => (down: PointerEvent<HTMLDivElement>) => {
    down.preventDefault();
    const box = down.currentTarget;
    box.setPointerCapture(down.pointerId);
    const startX = node.x - down.clientX;
    const startY = node.y - down.clientY;
    const follow = (move: globalThis.PointerEvent) =>
      session.current?.move(node.id, Math.max(0, startX + move.clientX), Math.max(0, startY + move.clientY));
    const stop = () => {
      box.removeEventListener("pointermove", follow);
      box.removeEventListener("pointerup", stop);
      box.removeEventListener("pointercancel", stop);
    };
    box.addEventListener("pointermove", follow);
    box.addEventListener("pointerup", stop);
    box.addEventListener("pointercancel", stop);
  };

  const nudge = (node: NodeShape) => (key: KeyboardEvent<HTMLDivElement>) => {
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-STEP, 0],
      ArrowRight: [STEP, 0],
      ArrowUp: [0, -STEP],
      ArrowDown: [0, STEP],
    };
    const by = moves[key.key];
    if (by) {
      key.preventDefault();
      session.current?.move(node.id, Math.max(0, node.x + by[0]), Math.max(0, node.y + by[1]));
    }
  };

  return (
    <>
      <p className="status" id="canvas-status" role="status" data-state={state}>
        {state === "live"
          ? "live: changes reach everyone at once"
          : state === "signed-out"
            ? "Your session has ended. Sign in again."
            : `${state}…`}
      </p>
      <form
        className="row"
        onSubmit={(event) => {
          event.preventDefault();
          add();
        }}
      >
        <label>
          Note
          <input id="new-node-label" value={label} onChange={(event) => setLabel(event.target.value)} />
        </label>
        <button type="submit" id="add-node-button" disabled={state !== "live"}>
          Add note
        </button>
      </form>
      <div className={styles.board} id="canvas-nodes" aria-label="Canvas" role="group">
        {nodes.map((node) => (
          <div
            key={node.id}
            className={`canvas-node ${styles.node}`}
            data-id={node.id}
            role="button"
            tabIndex={0}
            aria-label={`${node.label || "Note"} at ${Math.round(node.x)}, ${Math.round(node.y)}; arrow keys move it`}
            style={{ left: node.x, top: node.y, width: node.width, height: node.height, background: node.color }}
            onPointerDown={drag(node)}
            onKeyDown={nudge(node)}
          >
            {node.label}
          </div>
        ))}
      </div>
    </>
  );
}
