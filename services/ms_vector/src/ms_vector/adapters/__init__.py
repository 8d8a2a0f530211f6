"""What the ports of `ms_vector.domain.ports` are plugged into: the embedding model and the
dense indexes (in-process FAISS, Qdrant)."""
