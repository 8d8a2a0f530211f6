// A canvas edited together in the browser: a Yjs document that y-websocket keeps in sync with
// ms_canvas over its WebSocket, through the edge's /ws/canvas route (the same in a cluster). The
// user's access token travels as the subprotocol bearer.<jwt>; a reconnect takes a fresh one.
import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";

/** The route table's prefix for ms_canvas's WebSocket. */
const CANVAS_SOCKET_PATH = "/ws/canvas";
const SUBPROTOCOL = "knowledge.v1";

/** A node as ms_canvas reads it: a Y.Map, or a plain object, under the document's `nodes` map. */
export type NodeValue = Y.Map<unknown> | Record<string, unknown>;

export interface NodeShape {
  id: string;
  label: string;
  x: number;
  y: number;
  width: number;
  height: number;
  color: string;
}

export type SocketState = "connecting" | "syncing" | "live" | "disconnected";

export const NODE_WIDTH = 160;
export const NODE_HEIGHT = 56;

export interface CanvasSession {
  nodes(): NodeShape[];
  add(label: string): void;
  move(id: string, x: number, y: number): void;
  close(): void;
}

function field(value: NodeValue, key: string): unknown {
  return value instanceof Y.Map ? value.get(key) : value[key];
}

function numberField(value: NodeValue, key: string, fallback: number): number {
  const found = field(value, key);
  return typeof found === "number" && Number.isFinite(found) ? found : fallback;
}

function shape(id: string, value: NodeValue): NodeShape {
  const label = field(value, "label");
  const color = field(value, "color");
  return {
    id,
    label: typeof label === "string" ? label : "",
    x: numberField(value, "x", 0),
    y: numberField(value, "y", 0),
    width: numberField(value, "width", NODE_WIDTH),
    height: numberField(value, "height", NODE_HEIGHT),
    color: typeof color === "string" && color ? color : "#fff7d6",
  };
}

/** Joins canvas `name` (spaces/s/canvases/c); `changed` runs on every change, anyone's. */
export function joinCanvas(
  name: string,
  token: string,
  freshToken: () => Promise<string | undefined>,
  changed: () => void,
  state: (state: SocketState) => void,
  newId: () => string,
): CanvasSession {
  const doc = new Y.Doc();
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const provider = new WebsocketProvider(`${scheme}://${window.location.host}${CANVAS_SOCKET_PATH}`, name, doc, {
    protocols: [SUBPROTOCOL, `bearer.${token}`],
  });
  const nodes = doc.getMap<NodeValue>("nodes");
  state("connecting");
  provider.on("status", ({ status }) => {
    if (status === "connected") {
      state("syncing");
    } else if (status === "disconnected") {
      state("disconnected");
      // The next attempt carries a token that is still valid.
      freshToken()
        .then((bearer) => {
          if (bearer) {
            provider.protocols = [SUBPROTOCOL, `bearer.${bearer}`];
          }
        })
        .catch(() => undefined);
    }
  });
  provider.on("sync", (synced: boolean) => state(synced ? "live" : "syncing"));
  nodes.observeDeep(changed);
  return {
    nodes: () => [...nodes.entries()].map(([id, value]) => shape(id, value)),
    add(label: string) {
      const offset = 24 * (nodes.size % 10);
      nodes.set(
        newId(),
        new Y.Map<unknown>(
          Object.entries({
            kind: "note",
            label,
            x: 24 + offset,
            y: 24 + offset,
            width: NODE_WIDTH,
            height: NODE_HEIGHT,
            z: nodes.size,
          }),
        ),
      );
    },
    move(id: string, x: number, y: number) {
      const current = nodes.get(id);
      if (current === undefined) {
        return;
      }
      if (current instanceof Y.Map) {
        doc.transact(() => {
          current.set("x", x);
          current.set("y", y);
        });
      } else {
        nodes.set(id, new Y.Map<unknown>(Object.entries({ ...current, x, y })));
      }
    },
    close() {
      nodes.unobserveDeep(changed);
      provider.destroy();
      doc.destroy();
    },
  };
}
