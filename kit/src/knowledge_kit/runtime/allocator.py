"""A service process gives memory it freed back to the system.

glibc's malloc serves a block of 128 KiB or more from its own mapping, unmapped when freed, but
each time such a block is freed it raises that threshold to the block's size (up to 32 MiB).
From then on blocks up to that size come from the heap, and when freed their pages stay in the
process: a service handling NumPy arrays of a few MiB (ms_vector embedding a document's
passages, ms_chat, ms_ml) kept growing until its heap held the largest mix it had seen. In the
platform soak ms_vector grew by 24 MiB in its first two minutes and stayed there; embedding 600
passages of up to 1,500 characters in one call left the embedder 60 MiB larger for good. Fixed
thresholds of 1 MiB keep blocks up to that size in the heap, where they are reused as fast as
before, and give larger ones back as they are freed: the same passages then leave 2 MiB, and
embedding runs as fast (at 128 KiB every mid-sized array would be mapped afresh, which made
small embeddings nearly twice as slow).

An operator who sets glibc's own variables (`MALLOC_MMAP_THRESHOLD_`, `MALLOC_TRIM_THRESHOLD_`)
keeps them; other C libraries are left as they are.
"""

from __future__ import annotations

import ctypes
import os
import platform

# mallopt's parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
THRESHOLD_BYTES = 1 << 20
OPERATOR_VARIABLES = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")


def return_freed_memory() -> bool:
    """Fix glibc's mapping and trim thresholds at `THRESHOLD_BYTES` for this process; False
    where the operator set them or the C library is not glibc."""
    if any(name in os.environ for name in OPERATOR_VARIABLES):
        return False
    if platform.libc_ver()[0] != "glibc":
        return False
    mallopt = ctypes.CDLL(None).mallopt
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(
        mallopt(_M_MMAP_THRESHOLD, THRESHOLD_BYTES) and mallopt(_M_TRIM_THRESHOLD, THRESHOLD_BYTES)
    )
