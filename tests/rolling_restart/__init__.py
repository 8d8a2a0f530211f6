"""A rolling restart of two ms_knowledge processes behind the edge, under steady traffic."""
