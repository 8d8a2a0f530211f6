"""Service accounts a local run provisions in ms_auth, each with a secret generated once and kept
in the run's state directory (never printed), so the service that signs in with it keeps working
across runs.

ms_vector follows the embedder registered in ms_ml (`models/embedder`, the alias `production`):
it reads ms_ml as `serviceAccounts/ms-vector`, its token from ms_auth (client credentials). A
new embedder version promoted in ms_ml is then rolled out in ms_vector's index, side by side, as
in a cluster.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

SECRET_BYTES = 32


@dataclass(frozen=True)
class LocalServiceAccount:
    """`name` in ms_auth, whose secret `service` is told as `<PREFIX>SERVICE_ACCOUNT_SECRET`."""

    service: str
    name: str

    @property
    def file_name(self) -> str:
        return self.name.removeprefix("serviceAccounts/")


EMBEDDER_FOLLOWER = LocalServiceAccount(service="ms_vector", name="serviceAccounts/ms-vector")
EMBEDDER_ALIAS = "production"
"""The alias of ms_ml's `models/embedder` that ms_ml's shipped embedder holds from its first
start, and that ms_vector follows."""
EMBEDDER_SOURCE = "ms_ml"
"""Where the followed embedder comes from: a run without it leaves ms_vector its shipped one."""

ACCOUNTS = (EMBEDDER_FOLLOWER,)


def account_secret(secrets_dir: Path, account: LocalServiceAccount) -> str:
    """The account's secret, generated (readable by its owner only) on first use."""
    path = secrets_dir / account.file_name
    if path.is_file():
        kept = path.read_text(encoding="utf-8").strip()
        if kept:
            return kept
    secrets_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    incoming = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(incoming, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(secret)
    os.replace(incoming, path)
    return secret


def provisioned_accounts(secrets_dir: Path) -> str:
    """ms_auth's SERVICE_ACCOUNTS setting: every local account, as JSON."""
    return json.dumps(
        [
            {
                "name": account.name,
                "secret": account_secret(secrets_dir, account),
                "display_name": account.service,
            }
            for account in ACCOUNTS
        ]
    )
