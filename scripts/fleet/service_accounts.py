"""The service accounts of ms_auth that services call others as on their own (no user's call to
relay; client credentials), defined once for both places that provision them: `fleet up`, whose
run generates each secret in its state directory, and the charts, which keep it in a Secret.

ms_vector follows the embedder registered in ms_ml (`models/embedder`, the alias `production`):
it reads ms_ml as `serviceAccounts/ms-vector`, its token from ms_auth. A new embedder version
promoted in ms_ml is then rolled out in ms_vector's index, side by side.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class ServiceAccount:
    """`name` in ms_auth, whose secret `service` is told as its `service_account_secret` setting
    and which it calls `reads` as; `settings` are the service's settings that make it call
    `reads`, set only where `reads` runs."""

    service: str
    name: str
    reads: str
    settings: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


EMBEDDER_ALIAS = "production"
"""The alias of ms_ml's `models/embedder` that ms_ml's shipped embedder holds from its first
start, and that ms_vector follows."""
EMBEDDER_FOLLOWER = ServiceAccount(
    service="ms_vector",
    name="serviceAccounts/ms-vector",
    reads="ms_ml",
    settings=MappingProxyType({"embedder_alias": EMBEDDER_ALIAS}),
)
ACCOUNTS = (EMBEDDER_FOLLOWER,)


def account_of(service: str) -> ServiceAccount | None:
    """The service account `service` calls others as, if it has one."""
    return next((account for account in ACCOUNTS if account.service == service), None)
