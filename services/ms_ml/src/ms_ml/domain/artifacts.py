"""Artifacts: model bytes stored once by their SHA-256, behind one port for every store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import grpc
from knowledge_kit.errors import DomainError, FieldViolation, ValidationError

CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class StoredArtifact:
    sha256: str
    size_bytes: int

    @property
    def name(self) -> str:
        return f"artifacts/{self.sha256}"


class ArtifactTooLarge(ValidationError):
    """An upload declared or sent more bytes than the store accepts."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            f"the artifact is {size} bytes or more, over the limit of {limit} bytes",
            [FieldViolation("header.size_bytes", f"must be at most {limit}")],
        )


class ArtifactMismatch(ValidationError):
    """The bytes uploaded are not the ones declared (size or SHA-256)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(
            f"the uploaded bytes do not match: {message}", [FieldViolation(field, message)]
        )


class ArtifactCorrupt(DomainError):
    """Stored bytes no longer hash to their name: never served (DATA_LOSS)."""

    status_code = grpc.StatusCode.DATA_LOSS

    def __init__(self, sha256: str, actual: str) -> None:
        super().__init__(
            f"artifacts/{sha256} is corrupt: its stored bytes hash to {actual}; "
            "it is not loaded or served (upload it again)"
        )
        self.sha256 = sha256


class ArtifactMissing(DomainError):
    """No stored bytes under that SHA-256."""

    def __init__(self, sha256: str) -> None:
        super().__init__(f"artifacts/{sha256} is not stored")
        self.sha256 = sha256


class ArtifactStoreUnavailable(Exception):
    """The store cannot be used as configured (a bucket that is missing and may not be created):
    the service does not start, and says why."""


class ArtifactStore(Protocol):
    """Where artifacts live: the local filesystem on one machine, S3-compatible object storage
    in a cluster. Implementations never expose bytes under a name they do not hash to on the
    way in; `read` streams what is stored and `verified_file` checks it on the way out."""

    async def open(self) -> None:
        """Ready to store (at start): what the store needs is created when missing, or
        ArtifactStoreUnavailable says what is wrong."""
        ...

    async def put(
        self, chunks: AsyncIterator[bytes], *, size_bytes: int, sha256: str
    ) -> StoredArtifact:
        """Streams `chunks` in, counting and hashing as they come: more than `size_bytes` or
        the store's limit, or a different SHA-256 at the end, and nothing is stored."""
        ...

    async def size_of(self, sha256: str) -> int | None:
        """The stored size, or None when nothing is stored under it."""
        ...

    def read(self, sha256: str, *, offset: int = 0) -> AsyncIterator[bytes]:
        """The stored bytes from `offset`, in chunks (unverified; see `verified_file`)."""
        ...

    async def verified_file(self, sha256: str) -> Path:
        """A local file holding the artifact, its SHA-256 checked now: ArtifactCorrupt or
        ArtifactMissing otherwise."""
        ...

    async def close(self) -> None: ...
