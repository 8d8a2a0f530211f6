"""What the service reaches outside itself: ms_vector's search."""
