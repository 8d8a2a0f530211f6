"""Deployments: which versions answer a deployment's requests, by what share, revision by
revision; and the one rule that picks a version for a request key."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

# A share is a whole percent, so the key space is cut into 10,000 slots: a percent is 100 slots.
SLOTS = 10_000


class DeploymentState(IntEnum):
    """The contract's DeploymentState numbers."""

    PENDING = 1
    SERVING = 2
    FAILED = 3


class ChangeKind(IntEnum):
    """The contract's DeploymentChangeKind numbers."""

    CREATED = 1
    UPDATED = 2
    ROLLED_BACK = 3
    DELETED = 4


@dataclass(frozen=True, slots=True)
class TrafficSplit:
    """`percent` of the requests to a version, or to whichever version holds `alias`."""

    model_version: str
    alias: str
    percent: int

    @property
    def target(self) -> str:
        return self.model_version or f"alias {self.alias}"


@dataclass(frozen=True, slots=True)
class Revision:
    deployment: str
    revision: int
    traffic: tuple[TrafficSplit, ...]
    replicas: int
    actor: str
    reason: str
    create_time: datetime
    restored_revision: int = 0

    @property
    def name(self) -> str:
        return f"{self.deployment}/revisions/{self.revision}"


@dataclass(frozen=True, slots=True)
class Deployment:
    name: str
    model: str
    traffic: tuple[TrafficSplit, ...]
    replicas: int
    state: DeploymentState
    status_message: str
    revision: int
    etag: str
    create_time: datetime
    update_time: datetime

    @property
    def primary(self) -> TrafficSplit:
        """The split with the largest share (the first of equals)."""
        return max(self.traffic, key=lambda split: split.percent)


def slot_of(deployment: str, request_key: str) -> int:
    """The request's slot in 0..9999: a hash of the deployment and the key, so one key always
    lands in the same slot, and a random one for an empty key."""
    if not request_key:
        return secrets.randbelow(SLOTS)
    digest = hashlib.sha256(f"{deployment}\0{request_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % SLOTS


def split_for(traffic: Sequence[TrafficSplit], slot: int) -> TrafficSplit:
    """The split whose share holds `slot`: shares are laid out in the order given, so growing a
    canary listed first keeps the keys it already had."""
    bound = 0
    for split in traffic:
        bound += split.percent * (SLOTS // 100)
        if slot < bound:
            return split
    return traffic[-1]
