"""Who may read what: a service's own copy of the space memberships ms_knowledge publishes.

Services that filter by space (ms_vector's search, ms_notifications' recipients, ms_activity's
timelines) apply knowledge.spaces.v1 to this projection in their consumer's transaction and ask
it instead of calling ms_knowledge per request:

    handlers = {**space_membership_handlers(on_space_deleted=drop_chunks), **own_handlers}
    spaces = await SpaceMemberships(session).readable_spaces("users/ada")
"""

from knowledge_kit.spaces.handlers import SpaceDeletedHook, space_membership_handlers
from knowledge_kit.spaces.memberships import MemberRole, SpaceMemberships
from knowledge_kit.spaces.tables import SPACES_METADATA, space_memberships

__all__ = [
    "SPACES_METADATA",
    "MemberRole",
    "SpaceDeletedHook",
    "SpaceMemberships",
    "space_membership_handlers",
    "space_memberships",
]
