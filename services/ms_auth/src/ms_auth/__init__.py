"""ms_auth: Users, credentials, sessions, refresh tokens, roles and the signing keys (JWKS)."""
