"""Counting and hashing an upload as it streams in, so no store keeps bytes it should refuse."""

from __future__ import annotations

import hashlib
import re

from ..domain.artifacts import ArtifactMismatch, ArtifactTooLarge
from ..domain.names import invalid

_SHA256 = re.compile(r"[0-9a-f]{64}")


def checked_header(size_bytes: int, sha256: str, *, limit: int) -> None:
    """A declared upload the store may take: INVALID_ARGUMENT naming the header's field else."""
    if not _SHA256.fullmatch(sha256):
        raise invalid("header.sha256", "must be 64 lowercase hex digits (the bytes' SHA-256)")
    if size_bytes <= 0:
        raise invalid("header.size_bytes", "must be the artifact's size in bytes, 1 or more")
    if size_bytes > limit:
        raise ArtifactTooLarge(size_bytes, limit)


class Intake:
    """One upload's running count and hash, checked against what its header declared."""

    def __init__(self, size_bytes: int, sha256: str, *, limit: int) -> None:
        checked_header(size_bytes, sha256, limit=limit)
        self.size_bytes = size_bytes
        self.sha256 = sha256
        self._hash = hashlib.sha256()
        self.received = 0

    def take(self, chunk: bytes) -> bytes:
        """`chunk`, counted and hashed; more bytes than declared are refused at once."""
        self.received += len(chunk)
        if self.received > self.size_bytes:
            raise ArtifactMismatch(
                "header.size_bytes",
                f"{self.size_bytes} bytes were declared, more were sent",
            )
        self._hash.update(chunk)
        return chunk

    def finish(self) -> None:
        """Every byte arrived and they hash to the declared SHA-256, or the upload is refused."""
        if self.received != self.size_bytes:
            raise ArtifactMismatch(
                "header.size_bytes",
                f"{self.size_bytes} bytes were declared, {self.received} were sent",
            )
        actual = self._hash.hexdigest()
        if actual != self.sha256:
            raise ArtifactMismatch("header.sha256", f"the bytes sent hash to {actual}")
