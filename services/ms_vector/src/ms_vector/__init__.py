"""ms_vector: Chunks, embeddings and similarity search; indexes documents as they change."""
