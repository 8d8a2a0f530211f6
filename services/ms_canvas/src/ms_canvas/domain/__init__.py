"""Canvases, their content and who may do what with them; plain Python, no I/O."""
