"""The verbs of the platform's activities: what happened, as `<noun>.<past participle>`.

Events from the platform's topics become the event verbs below; clients report the client verbs
(what only the browser sees: a document read, a search run, a canvas opened) through
RecordActivities, and may report nothing else.
"""

from __future__ import annotations

import re

# Lower-case words joined by dots, 3 to 64 characters.
VERB = re.compile(r"(?=.{3,64}$)[a-z]+(?:_[a-z]+)*(?:\.[a-z]+(?:_[a-z]+)*)+")

# Reported by clients (RecordActivities).
DOCUMENT_VIEWED = "document.viewed"
SEARCH_RUN = "search.run"
CANVAS_OPENED = "canvas.opened"
CLIENT_VERBS = frozenset(
    {
        DOCUMENT_VIEWED,
        SEARCH_RUN,
        CANVAS_OPENED,
        "space.opened",
        "conversation.opened",
        "citation.opened",
    }
)

# Recorded from events.
EVENT_VERBS = frozenset(
    {
        "user.registered",
        "user.role_changed",
        "session.revoked",
        "space.created",
        "space.updated",
        "space.deleted",
        "space.member_added",
        "space.member_removed",
        "document.created",
        "document.updated",
        "document.restored",
        "document.deleted",
        "canvas.created",
        "canvas.changed",
        "canvas.deleted",
        "conversation.created",
        "conversation.deleted",
        "message.posted",
        "answer.completed",
        "feedback.given",
        "document.indexed",
        "document.unindexed",
        "document.index_failed",
        "model.registered",
        "model_version.created",
        "model.promoted",
        "model.alias_moved",
        "model.deleted",
        "model_version.deleted",
        "deployment.changed",
        "training_job.state_changed",
        "notification.delivered",
        "notification.failed",
    }
)

KNOWN_VERBS = CLIENT_VERBS | EVENT_VERBS
