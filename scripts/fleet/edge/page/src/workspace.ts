// Spaces with their documents and canvases: listing, creating, choosing one to open.
import type { Space } from "@knowledge/protos/knowledge/knowledge/v1/space_pb";
import type { Document } from "@knowledge/protos/knowledge/knowledge/v1/document_pb";
import type { Canvas } from "@knowledge/protos/knowledge/canvas/v1/canvas_pb";
import { CanvasView } from "./canvas_view.js";
import { DocumentView } from "./document_view.js";
import { element, inputValue, renderChoices, showError } from "./dom.js";
import { announceDocument, announceSpace } from "./opened.js";
import type { Credentials, Platform } from "./platform.js";

const PAGE_SIZE = 100;

export class Workspace {
  private space?: Space;
  private openDocument = "";
  private openCanvas = "";
  private readonly documentView: DocumentView;
  private readonly canvasView: CanvasView;

  /** `me` is the signed-in user's resource name (users/...). */
  constructor(
    private readonly platform: Platform,
    credentials: Credentials,
    me: string,
  ) {
    this.documentView = new DocumentView(platform, me);
    this.canvasView = new CanvasView(credentials);
    element("new-space-form").addEventListener("submit", (event) => {
      event.preventDefault();
      void this.createSpace(inputValue("new-space-name")).catch(showError);
    });
    element("new-document-form").addEventListener("submit", (event) => {
      event.preventDefault();
      void this.createDocument(inputValue("new-document-title")).catch(showError);
    });
    element("new-canvas-form").addEventListener("submit", (event) => {
      event.preventDefault();
      void this.createCanvas(inputValue("new-canvas-title")).catch(showError);
    });
  }

  async show(): Promise<void> {
    element("workspace").hidden = false;
    await this.listSpaces();
  }

  private async listSpaces(): Promise<void> {
    const { spaces } = await this.platform.spaces.listSpaces({ pageSize: PAGE_SIZE });
    renderChoices(
      element("spaces"),
      spaces,
      (space) => space.displayName,
      (space) => space.name,
      this.space?.name ?? "",
      (space) => void this.openSpace(space).catch(showError),
    );
  }

  private async openSpace(space: Space): Promise<void> {
    this.space = space;
    this.documentView.close();
    this.canvasView.close();
    element("document").hidden = true;
    element("canvas").hidden = true;
    element("space-title").textContent = `Documents in ${space.displayName}`;
    element("new-document-form").hidden = false;
    element("canvases-title").hidden = false;
    element("new-canvas-form").hidden = false;
    announceSpace(space);
    await Promise.all([this.listSpaces(), this.listDocuments(), this.listCanvases()]);
  }

  private async listDocuments(): Promise<void> {
    if (!this.space) {
      return;
    }
    const { documents } = await this.platform.documents.listDocuments({
      parent: this.space.name,
      pageSize: PAGE_SIZE,
    });
    renderChoices(
      element("documents"),
      documents,
      (document) => document.title,
      (document) => document.name,
      this.openDocument,
      (document) => void this.open(document).catch(showError),
    );
  }

  private async listCanvases(): Promise<void> {
    if (!this.space) {
      return;
    }
    const { canvases } = await this.platform.canvases.listCanvases({
      parent: this.space.name,
      pageSize: PAGE_SIZE,
    });
    renderChoices(
      element("canvases"),
      canvases,
      (canvas) => canvas.title,
      (canvas) => canvas.name,
      this.openCanvas,
      (canvas) => void this.openCanvasView(canvas).catch(showError),
    );
  }

  private async open(document: Document): Promise<void> {
    this.openDocument = document.name;
    this.openCanvas = "";
    this.canvasView.close();
    element("canvas").hidden = true;
    this.documentView.open(document.name);
    announceDocument(document);
    await Promise.all([this.listDocuments(), this.listCanvases()]);
  }

  private async openCanvasView(canvas: Canvas): Promise<void> {
    this.openCanvas = canvas.name;
    this.openDocument = "";
    this.documentView.close();
    element("document").hidden = true;
    this.canvasView.open(canvas.name, canvas.title);
    await Promise.all([this.listDocuments(), this.listCanvases()]);
  }

  private async createSpace(displayName: string): Promise<void> {
    const { space } = await this.platform.spaces.createSpace({ space: { displayName } });
    element<HTMLInputElement>("new-space-name").value = "";
    if (space) {
      await this.openSpace(space);
    }
  }

  private async createDocument(title: string): Promise<void> {
    if (!this.space) {
      return;
    }
    const { document } = await this.platform.documents.createDocument({
      parent: this.space.name,
      document: { title, content: "", contentType: "text/markdown" },
    });
    element<HTMLInputElement>("new-document-title").value = "";
    if (document) {
      await this.open(document);
    }
  }

  private async createCanvas(title: string): Promise<void> {
    if (!this.space) {
      return;
    }
    const { canvas } = await this.platform.canvases.createCanvas({
      parent: this.space.name,
      canvas: { title },
    });
    element<HTMLInputElement>("new-canvas-title").value = "";
    if (canvas) {
      await this.openCanvasView(canvas);
    }
  }
}
