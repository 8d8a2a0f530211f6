"""The contract suite of the platform's API conventions (`knowledge_kit.api`), run against a
running server: every List* and Update* method it serves is checked, found through reflection,
so a new RPC is covered without a new test. A method the suite has no seed recipe for fails,
asking for one.

    contract = ApiContract(channel, lists={"pkg.FooService.ListBars": seed_bars}, updates={...})

    @pytest.mark.parametrize("convention", CONVENTIONS)
    async def test_the_api_conventions_hold(contract: ApiContract, convention: str) -> None:
        await contract.check(convention)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

import grpc
from google.protobuf.descriptor import MethodDescriptor

from knowledge_kit.testing.contract_cases import ListCase, ListSeed, UpdateCase, UpdateSeed
from knowledge_kit.testing.contract_lists import ListChecks
from knowledge_kit.testing.contract_updates import UpdateChecks
from knowledge_kit.testing.served_methods import served_methods

__all__ = ["CONVENTIONS", "ApiContract", "ListCase", "ListSeed", "UpdateCase", "UpdateSeed"]

CONVENTIONS = ("page_tokens", "page_sizes", "update_masks", "resource_names", "etags")
"""Every convention the suite checks, one test each: `ApiContract.check(convention)`."""


class ApiContract:
    """Checks one convention at a time over every List* and Update* RPC the server serves;
    `lists` and `updates` map each method's full name (`pkg.Service.Method`) to its seed."""

    def __init__(
        self,
        channel: grpc.aio.Channel,
        *,
        lists: Mapping[str, ListSeed],
        updates: Mapping[str, UpdateSeed],
    ) -> None:
        self._channel = channel
        self._lists = dict(lists)
        self._updates = dict(updates)

    async def check(self, convention: str) -> None:
        """Check one of CONVENTIONS over every List* or Update* RPC it concerns."""
        if convention not in CONVENTIONS:
            raise ValueError(f"unknown convention {convention!r} (known: {', '.join(CONVENTIONS)})")
        await getattr(self, f"check_{convention}")()

    async def check_page_tokens(self) -> None:
        """Tokens walk the listing once, reveal nothing, and a garbage, tampered or reused
        one is INVALID_ARGUMENT naming page_token (AIP-158)."""
        await self._each_list(ListChecks.page_tokens)

    async def check_page_sizes(self) -> None:
        """Negative page sizes are INVALID_ARGUMENT naming page_size; 0 and the largest int32
        are served, the latter at most MAX_PAGE_SIZE items."""
        await self._each_list(ListChecks.page_sizes)

    async def check_update_masks(self) -> None:
        """Masks naming an unknown or read-only field are INVALID_ARGUMENT naming update_mask
        (AIP-134); the seeded update itself succeeds."""
        await self._each_update(UpdateChecks.update_mask)

    async def check_resource_names(self) -> None:
        """A malformed parent (List) or resource name (Update) is INVALID_ARGUMENT naming the
        field (AIP-122)."""
        await self._each_list(ListChecks.parent)
        await self._each_update(UpdateChecks.name)

    async def check_etags(self) -> None:
        """An update gives the resource a new etag; replaying it with the old one is ABORTED,
        and a required etag left out is INVALID_ARGUMENT naming it (AIP-154)."""
        await self._each_update(UpdateChecks.etag)

    async def _each_list(self, check: Callable[[ListChecks], Awaitable[None]]) -> None:
        async def seeded(method: MethodDescriptor) -> None:
            case = await self._lists[method.full_name]()
            await check(ListChecks(self._channel, method, case))

        await _each(await self._methods("List", self._lists), seeded)

    async def _each_update(self, check: Callable[[UpdateChecks], Awaitable[None]]) -> None:
        async def seeded(method: MethodDescriptor) -> None:
            case = await self._updates[method.full_name]()
            await check(UpdateChecks(self._channel, method, case))

        await _each(await self._methods("Update", self._updates), seeded)

    async def _methods(self, prefix: str, seeds: Mapping[str, object]) -> list[MethodDescriptor]:
        served = [m for m in await served_methods(self._channel) if m.name.startswith(prefix)]
        names = {method.full_name for method in served}
        unseeded = sorted(names - set(seeds))
        if unseeded:
            kind, case = ("lists", "ListCase") if prefix == "List" else ("updates", "UpdateCase")
            raise AssertionError(
                f"no seed recipe for {', '.join(unseeded)}: give ApiContract(..., {kind}=...) "
                f"a {case} seed for each"
            )
        stale = sorted(set(seeds) - names)
        if stale:
            raise AssertionError(f"seed recipes for methods the server does not serve: {stale}")
        return served


async def _each(
    methods: list[MethodDescriptor], check: Callable[[MethodDescriptor], Awaitable[None]]
) -> None:
    # Every method is checked even when one fails, so one run names every drift.
    failures: list[str] = []
    for method in methods:
        try:
            await check(method)
        except AssertionError as failed:
            failures.append(str(failed))
        except grpc.aio.AioRpcError as error:
            failures.append(f"{method.full_name}: {error.code().name}: {error.details()}")
    if failures:
        raise AssertionError("\n".join(failures))
