"""The service accounts (`fleet.service_accounts`) a local run provisions in ms_auth, each with a
secret generated once and kept in the run's state directory (never printed), so the service that
signs in with it keeps working across runs."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from fleet.service_accounts import ACCOUNTS, ServiceAccount

SECRET_BYTES = 32


def account_secret(secrets_dir: Path, account: ServiceAccount) -> str:
    """The account's secret, generated (readable by its owner only) on first use."""
    path = secrets_dir / account.name.removeprefix("serviceAccounts/")
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
