"""Which event tells whom what: pure rules, given what the service knows of spaces, users and
models. The actor is never told of their own action, and only people (users/{user}) are told.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .names import is_user
from .notifications import Category

MAX_BODY_CHARS = 280
ROLES = {1: "viewer", 2: "editor", 3: "owner"}
TRAINING_OUTCOMES = {3: "succeeded", 4: "failed", 5: "was cancelled"}
# knowledge.auth.v1.SessionRevocationReason -> what the user is told (signing out is no news).
SESSION_ENDINGS = {
    0: ("a sign-in of yours was ended", "If this was not you, change your password."),
    2: (
        "a sign-in of yours was ended: its refresh token was used twice",
        "Someone may have copied it. Sign in again, and change your password if this was not you.",
    ),
    3: ("a sign-in of yours was revoked", "If this was not you, change your password."),
}
STAGES = {1: "none", 2: "staging", 3: "production", 4: "archived"}


@dataclass(frozen=True, slots=True)
class Intent:
    """One thing to tell: the same for every recipient of one event."""

    category: Category
    # What happened, after who did it: "edited Onboarding".
    action: str
    body: str
    link: str
    # users/{user} who acted ("" when the platform did, e.g. an answer finished).
    actor: str = ""
    actor_label: str = ""
    # Notifications with one key are grouped into one ("" never groups).
    group_key: str = ""

    def title(self, actor_label: str, actor_count: int) -> str:
        """ "Ada and 3 others edited Onboarding"; the action alone without an actor."""
        if not self.actor:
            return self.action[:1].upper() + self.action[1:]
        return f"{who(actor_label, actor_count)} {self.action}"


@dataclass(frozen=True, slots=True)
class Tell:
    """An intent and the users it goes to (the actor already left out)."""

    intent: Intent
    recipients: tuple[str, ...]


def tell(intent: Intent, recipients: Iterable[str]) -> Tell:
    """`intent` to every person among `recipients` but its actor, each once, in order."""
    chosen = dict.fromkeys(r for r in recipients if is_user(r) and r != intent.actor)
    return Tell(intent, tuple(chosen))


def who(label: str, count: int) -> str:
    if count <= 1:
        return label
    others = count - 1
    return f"{label} and {others} {'other' if others == 1 else 'others'}"


def shortened(text: str, limit: int = MAX_BODY_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def label_of(name: str, display_name: str) -> str:
    """What a user is called in a title: the display name, else the id in their name."""
    return display_name or name.rsplit("/", 1)[-1]


def member_added(
    space: str,
    user: str,
    role: int,
    space_label: str,
    actor: str,
    actor_label: str,
    *,
    had_role: int | None,
) -> Tell:
    role_name = ROLES.get(role, "member")
    if had_role is None:
        action = f"added you to {space_label} as {role_name}"
    else:
        action = f"made you {role_name} of {space_label}"
    intent = Intent(Category.MEMBERSHIP, action, "", space, actor, actor_label)
    return tell(intent, [user])


def document_changed(
    document: str,
    title: str,
    actor: str,
    actor_label: str,
    members: Iterable[str],
    *,
    created: bool,
) -> Tell:
    """A new document tells the space's members once; edits of one document are grouped."""
    shown = title or document.rsplit("/", 1)[-1]
    if created:
        intent = Intent(Category.DOCUMENT, f"created {shown}", "", document, actor, actor_label)
    else:
        intent = Intent(
            Category.DOCUMENT,
            f"edited {shown}",
            "",
            document,
            actor,
            actor_label,
            group_key=f"{document}#edits",
        )
    return tell(intent, members)


def answer_completed(conversation: str, user: str, question: str) -> Tell:
    intent = Intent(Category.CHAT, "your answer is ready", shortened(question), conversation)
    return tell(intent, [user])


def training_finished(
    training_job: str, model_label: str, state: int, error: str, owner: str
) -> Tell | None:
    """Only a finished job tells (succeeded, failed, cancelled), to the model's owner."""
    outcome = TRAINING_OUTCOMES.get(state)
    if outcome is None:
        return None
    body = shortened(error) if state == 4 else ""
    intent = Intent(Category.ML, f"training of {model_label} {outcome}", body, training_job)
    return tell(intent, [owner])


def model_promoted(
    model_version: str, stage: int, owner: str, actor: str, actor_label: str
) -> Tell:
    stage_name = STAGES.get(stage, "another stage")
    intent = Intent(
        Category.ML,
        f"moved {model_version} to {stage_name}",
        "",
        model_version,
        actor,
        actor_label,
    )
    return tell(intent, [owner])


def role_changed(user: str, role_name: str, actor: str, actor_label: str) -> Tell:
    """A security notice: it cannot be muted (see domain.preferences.ALWAYS)."""
    if actor:
        action = f"changed your platform role to {role_name}"
    else:
        action = f"your platform role is now {role_name}"
    intent = Intent(Category.ACCOUNT, action, "", user, actor, actor_label)
    return tell(intent, [user])


def session_revoked(session: str, user: str, reason: int) -> Tell | None:
    """A security notice (it cannot be muted); signing out oneself tells no one."""
    ending = SESSION_ENDINGS.get(reason)
    if ending is None:
        return None
    action, body = ending
    link = session if session.startswith(f"{user}/sessions/") else user
    return tell(Intent(Category.ACCOUNT, action, body, link), [user])
