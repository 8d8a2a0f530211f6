"""knowledge.spaces.v1 applied to the service's copy of the memberships, each event in the
consumer's transaction with its inbox row: a member removed from a space stops seeing its
passages in the citations they read from then on."""

from __future__ import annotations

from collections.abc import Mapping

from google.protobuf.message import Message
from knowledge_kit.events.consumer import EventHandler
from knowledge_kit.spaces import space_membership_handlers


def event_handlers() -> Mapping[type[Message], EventHandler]:
    return space_membership_handlers()
