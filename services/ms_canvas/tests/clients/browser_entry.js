// Bundled for Chromium pages: exposes the collaborator to page.evaluate.
import { createCanvasClient } from './canvas_client.js'
window.createCanvasClient = createCanvasClient
