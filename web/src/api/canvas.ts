// ms_canvas from the server: a space's canvases listed, created and opened, over grpc-js. Their
// content is edited in the browser over the WebSocket (canvas_socket.ts).
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Canvas } from "@knowledge/protos/knowledge/canvas/v1/canvas_pb";
import { CanvasService } from "@knowledge/protos/knowledge/canvas/v1/canvas_service_pb";
import { unary } from "./grpc";
import { lastSegment } from "./views";

export interface CanvasView {
  name: string;
  id: string;
  title: string;
  description: string;
  updateTime: string;
}

function canvasView(canvas: Canvas): CanvasView {
  return {
    name: canvas.name,
    id: lastSegment(canvas.name),
    title: canvas.title,
    description: canvas.description,
    updateTime: canvas.updateTime ? timestampDate(canvas.updateTime).toISOString() : "",
  };
}

function required(canvas: Canvas | undefined): Canvas {
  if (!canvas) {
    throw new Error("the answer had no canvas");
  }
  return canvas;
}

export async function listCanvases(token: string, space: string): Promise<CanvasView[]> {
  const canvases: CanvasView[] = [];
  let pageToken = "";
  do {
    const page = await unary(CanvasService.method.listCanvases, { parent: space, pageSize: 100, pageToken }, { token });
    canvases.push(...page.canvases.map(canvasView));
    pageToken = page.nextPageToken;
  } while (pageToken);
  return canvases;
}

export async function getCanvas(token: string, name: string): Promise<CanvasView> {
  const answer = await unary(CanvasService.method.getCanvas, { name }, { token });
  return canvasView(required(answer.canvas));
}

export async function createCanvas(token: string, space: string, title: string): Promise<CanvasView> {
  const answer = await unary(CanvasService.method.createCanvas, { parent: space, canvas: { title } }, { token });
  return canvasView(required(answer.canvas));
}
