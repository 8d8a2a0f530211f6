"""The names of the registry's resources (AIP-122) and the grammar of the ids callers choose."""

from __future__ import annotations

from knowledge_kit.api import ResourcePattern
from knowledge_kit.errors import FieldViolation, ValidationError

MODEL = ResourcePattern("models/{model}")
MODELS_ANY = "models/-"
MODEL_VERSION = ResourcePattern("models/{model}/versions/{version}", version=r"[1-9][0-9]{0,8}")
MODEL_ALIAS = ResourcePattern("models/{model}/aliases/{alias}", alias=r"[a-z][a-z0-9-]{0,62}")
TRANSITION = ResourcePattern("models/{model}/transitions/{transition}", transition=r"[1-9][0-9]*")
DEPLOYMENT = ResourcePattern("models/{model}/deployments/{deployment}")
ARTIFACT = ResourcePattern("artifacts/{digest}", digest=r"[0-9a-f]{64}")

SHA256_HEX = r"[0-9a-f]{64}"


def model_of(name: str) -> str:
    """`models/{model}` of any name below a model."""
    return "/".join(name.split("/")[:2])


def version_name(model: str, number: int) -> str:
    return f"{model}/versions/{number}"


def alias_name(model: str, alias: str) -> str:
    return f"{model}/aliases/{alias}"


def checked_alias(model: str, alias: str, field: str) -> str:
    """The short alias when `alias` is one (1-63 lowercase letters, digits, dashes, starting
    with a letter), else INVALID_ARGUMENT naming `field`."""
    return MODEL_ALIAS.parse(alias_name(model, alias), field)["alias"]


def invalid(field: str, message: str) -> ValidationError:
    """INVALID_ARGUMENT naming `field`."""
    return ValidationError(f"{field} {message}", [FieldViolation(field, message)])
