"""The one line a timeline shows for an activity, e.g. `Ada updated "Onboarding"`."""

from __future__ import annotations

from collections.abc import Mapping

# What each verb reads as after the actor's name; a verb not listed reads as its own words.
_PHRASES = {
    "user.registered": "registered",
    "user.role_changed": "changed the platform role of",
    "session.revoked": "signed out",
    "space.created": "created the space",
    "space.updated": "updated the space",
    "space.deleted": "deleted the space",
    "space.member_added": "added a member to",
    "space.member_removed": "removed a member from",
    "space.opened": "opened the space",
    "document.created": "created",
    "document.updated": "updated",
    "document.restored": "restored",
    "document.deleted": "deleted",
    "document.viewed": "viewed",
    "document.indexed": "indexed",
    "document.unindexed": "removed from the search index",
    "document.index_failed": "could not index",
    "canvas.created": "created the canvas",
    "canvas.changed": "changed the canvas",
    "canvas.deleted": "deleted the canvas",
    "canvas.opened": "opened the canvas",
    "conversation.created": "started a conversation",
    "conversation.deleted": "deleted a conversation",
    "conversation.opened": "opened a conversation",
    "message.posted": "asked a question",
    "answer.completed": "answered a question",
    "feedback.given": "rated an answer",
    "citation.opened": "opened a citation",
    "search.run": "searched",
    "model.registered": "registered the model",
    "model_version.created": "created a model version",
    "model.promoted": "promoted a model version",
    "training_job.state_changed": "updated a training job",
    "notification.delivered": "delivered a notification",
    "notification.failed": "could not deliver a notification",
}
# Verbs whose line names no object (the actor's own act, or the object said in the phrase).
_WITHOUT_OBJECT = frozenset(
    {
        "user.registered",
        "session.revoked",
        "conversation.created",
        "conversation.deleted",
        "conversation.opened",
        "message.posted",
        "answer.completed",
        "feedback.given",
        "citation.opened",
        "search.run",
        "model_version.created",
        "model.promoted",
        "training_job.state_changed",
        "notification.delivered",
        "notification.failed",
    }
)


def summary(
    verb: str,
    actor: str,
    actor_display_name: str,
    subject: str,
    properties: Mapping[str, str],
) -> str:
    """Who, what, and the object's title (or its id) when the verb has an object."""
    who = actor_display_name or actor.rsplit("/", 1)[-1] or "The platform"
    phrase = _PHRASES.get(verb) or verb.replace(".", " ").replace("_", " ")
    if verb in _WITHOUT_OBJECT or not subject:
        return f"{who} {phrase}"
    title = properties.get("title") or subject.rsplit("/", 1)[-1]
    return f'{who} {phrase} "{title}"'
