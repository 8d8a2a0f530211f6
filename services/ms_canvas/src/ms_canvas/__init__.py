"""ms_canvas: Canvases of nodes and edges, edited together in real time over WebSockets (Yjs)."""
