"""argon2id hashes and their verification, including the path for unknown accounts."""

from __future__ import annotations

from ms_auth.service.password_hashing import Argon2PasswordHasher

HASHER = Argon2PasswordHasher(time_cost=1, memory_cost_kib=8, parallelism=1)


async def test_hashes_are_salted_argon2id() -> None:
    first, second = await HASHER.hash("analytical engine"), await HASHER.hash("analytical engine")
    assert first.startswith("$argon2id$")
    assert first != second


async def test_only_the_right_secret_verifies() -> None:
    stored = await HASHER.hash("analytical engine")
    assert await HASHER.verify(stored, "analytical engine")
    assert not await HASHER.verify(stored, "difference engine")


async def test_without_a_stored_hash_nothing_verifies() -> None:
    assert not await HASHER.verify(None, "analytical engine")
    assert not await HASHER.verify("not a hash", "analytical engine")


async def test_hashes_made_with_weaker_parameters_need_rehashing() -> None:
    stronger = Argon2PasswordHasher(time_cost=2, memory_cost_kib=16, parallelism=1)
    weak = await HASHER.hash("analytical engine")
    assert stronger.needs_rehash(weak)
    assert not HASHER.needs_rehash(weak)
