// One open canvas: its nodes as boxes, kept in a Yjs document that y-websocket syncs with ms_canvas
// through the edge, so everyone's additions and moves show at once; nodes are added and dragged here.
import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";
import { element } from "./dom.js";
import type { Credentials } from "./platform.js";

const NODE_WIDTH = 160;
const NODE_HEIGHT = 56;
const NEW_NODE_OFFSET = 24;

/** A node as ms_canvas reads it: a `Y.Map` or a plain object under the document's `nodes` map. */
type NodeValue = Y.Map<unknown> | Record<string, unknown>;

interface Shown {
  label: string;
  x: number;
  y: number;
  width: number;
  height: number;
  color: string;
}

function field(value: NodeValue, key: string): unknown {
  return value instanceof Y.Map ? value.get(key) : value[key];
}

function numberField(value: NodeValue, key: string, fallback: number): number {
  const found = field(value, key);
  return typeof found === "number" && Number.isFinite(found) ? found : fallback;
}

function shown(value: NodeValue): Shown {
  const label = field(value, "label");
  const color = field(value, "color");
  return {
    label: typeof label === "string" ? label : "",
    x: numberField(value, "x", 0),
    y: numberField(value, "y", 0),
    width: numberField(value, "width", NODE_WIDTH),
    height: numberField(value, "height", NODE_HEIGHT),
    color: typeof color === "string" && color ? color : "#fff7d6",
  };
}

interface Session {
  doc: Y.Doc;
  provider: WebsocketProvider;
  nodes: Y.Map<NodeValue>;
}

export class CanvasView {
  private session?: Session;
  private readonly boxes = new Map<string, HTMLElement>();

  constructor(private readonly credentials: Credentials) {
    element("new-node-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const label = element<HTMLInputElement>("new-node-label");
      this.addNode(label.value.trim());
      label.value = "";
    });
  }

  /** Join `name` (spaces/{space}/canvases/{canvas}) titled `title` until another one is opened. */
  open(name: string, title: string): void {
    this.close();
    const doc = new Y.Doc();
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    // The route table's prefix for ms_canvas (scripts/fleet/edge/routes.py), in a cluster too.
    const server = `${scheme}://${window.location.host}/ws/canvas`;
    const provider = new WebsocketProvider(server, name, doc, {
      protocols: ["knowledge.v1", `bearer.${this.credentials.accessToken}`],
    });
    const nodes = doc.getMap<NodeValue>("nodes");
    this.session = { doc, provider, nodes };
    element("canvas").hidden = false;
    element("canvas-title").textContent = title;
    element("canvas-status").textContent = "connecting…";
    provider.on("status", ({ status }) => {
      if (status !== "connected") {
        element("canvas-status").textContent = `${status}…`;
      }
    });
    provider.on("sync", (synced: boolean) => {
      element("canvas-status").textContent = synced ? "live" : "syncing…";
    });
    nodes.observeDeep(() => this.render(nodes));
    this.render(nodes);
  }

  close(): void {
    this.session?.provider.destroy();
    this.session?.doc.destroy();
    this.session = undefined;
    this.boxes.clear();
    element("canvas-nodes").replaceChildren();
  }

  private addNode(label: string): void {
    if (!this.session || !label) {
      return;
    }
    const { nodes } = this.session;
    const offset = NEW_NODE_OFFSET * (nodes.size % 10);
    const node = new Y.Map<unknown>(
      Object.entries({
        kind: "note",
        label,
        x: NEW_NODE_OFFSET + offset,
        y: NEW_NODE_OFFSET + offset,
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
        z: nodes.size,
      }),
    );
    nodes.set(crypto.randomUUID(), node);
  }

  /** Write a node's new place; a plain-object node becomes a `Y.Map` with the same fields. */
  private move(id: string, x: number, y: number): void {
    const current = this.session?.nodes.get(id);
    if (!this.session || current === undefined) {
      return;
    }
    if (current instanceof Y.Map) {
      this.session.doc.transact(() => {
        current.set("x", x);
        current.set("y", y);
      });
    } else {
      this.session.nodes.set(id, new Y.Map<unknown>(Object.entries({ ...current, x, y })));
    }
  }

  private render(nodes: Y.Map<NodeValue>): void {
    const board = element("canvas-nodes");
    for (const [id, box] of this.boxes) {
      if (!nodes.has(id)) {
        box.remove();
        this.boxes.delete(id);
      }
    }
    nodes.forEach((value, id) => {
      let box = this.boxes.get(id);
      if (!box) {
        box = this.newBox(id);
        this.boxes.set(id, box);
        board.append(box);
      }
      const node = shown(value);
      box.textContent = node.label;
      box.style.left = `${node.x}px`;
      box.style.top = `${node.y}px`;
      box.style.width = `${node.width}px`;
      box.style.height = `${node.height}px`;
      box.style.background = node.color;
    });
  }

  /** A box that follows the pointer while dragged, writing each step to the shared document. */
  private newBox(id: string): HTMLElement {
    const box = document.createElement("div");
    box.className = "canvas-node";
    box.dataset.id = id;
    box.addEventListener("pointerdown", (down) => {
      down.preventDefault();
      box.setPointerCapture(down.pointerId);
      const startX = box.offsetLeft - down.clientX;
      const startY = box.offsetTop - down.clientY;
      const follow = (move: PointerEvent): void =>
        this.move(id, Math.max(0, startX + move.clientX), Math.max(0, startY + move.clientY));
      const stop = (): void => {
        box.removeEventListener("pointermove", follow);
        box.removeEventListener("pointerup", stop);
        box.removeEventListener("pointercancel", stop);
      };
      box.addEventListener("pointermove", follow);
      box.addEventListener("pointerup", stop);
      box.addEventListener("pointercancel", stop);
    });
    return box;
  }
}
