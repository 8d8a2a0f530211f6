"""Platform access tokens: the claims convention, signing (ms_auth) and verification (everyone)."""

from knowledge_kit.auth.jwks import JwksKeySet
from knowledge_kit.auth.principal import Principal, current_principal
from knowledge_kit.auth.signing import SigningKey
from knowledge_kit.auth.verifier import TokenVerifier

__all__ = ["JwksKeySet", "Principal", "SigningKey", "TokenVerifier", "current_principal"]
