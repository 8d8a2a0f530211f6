"""ms_chat: Conversations and answers grounded in the knowledge base (RAG) with citations."""
