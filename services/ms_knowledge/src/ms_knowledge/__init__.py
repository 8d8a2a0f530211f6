"""ms_knowledge: Spaces, documents with their versions, and who may read or write them."""
