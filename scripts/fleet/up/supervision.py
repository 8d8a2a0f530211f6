"""Keeping a local run's processes up: one that dies is restarted after a growing pause, and one
that keeps dying ends the run (its log says why) instead of being restarted forever."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from fleet.errors import FleetError
from fleet.up.processes import ManagedProcess


@dataclass(frozen=True)
class RestartPolicy:
    first_pause: float = 1.0
    longest_pause: float = 30.0
    crashes_tolerated: int = 4
    """More crashes than this within `window` seconds and the run gives up."""
    window: float = 300.0


@dataclass
class _Supervised:
    process: ManagedProcess
    is_ready: Callable[[], bool]
    ready_word: str
    crashes: deque[float] = field(default_factory=deque)
    restarts: int = 0
    restart_at: float | None = None
    restarted: bool = False


class Supervisor:
    """`check()` on every tick of the run: notices exits, restarts on time, reports recovery."""

    def __init__(
        self,
        report: Callable[[str], None],
        policy: RestartPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._report = report
        self._policy = policy or RestartPolicy()
        self._clock = clock
        self._supervised: list[_Supervised] = []

    def supervise(
        self, process: ManagedProcess, is_ready: Callable[[], bool], ready_word: str
    ) -> None:
        """Watch `process`; after a restart, report it `ready_word` ("SERVING") once `is_ready`."""
        self._supervised.append(_Supervised(process, is_ready, ready_word))

    def check(self) -> None:
        """Raises FleetError when a process crashed more often than the policy tolerates."""
        now = self._clock()
        for supervised in self._supervised:
            if supervised.restart_at is not None:
                if now >= supervised.restart_at:
                    self._restart(supervised)
                continue
            code = supervised.process.exit_code()
            if code is None:
                if supervised.restarted and supervised.is_ready():
                    supervised.restarted = False
                    self._report(f"{supervised.process.name} {supervised.ready_word} again")
                continue
            self._crashed(supervised, code, now)

    def _crashed(self, supervised: _Supervised, code: int, now: float) -> None:
        policy, process = self._policy, supervised.process
        crashes = supervised.crashes
        crashes.append(now)
        while crashes and crashes[0] < now - policy.window:
            crashes.popleft()
        how = f"signal {-code}" if code < 0 else f"code {code}"
        if len(crashes) > policy.crashes_tolerated:
            raise FleetError(
                f"{process.name} crashed {len(crashes)} times within {policy.window:g}s "
                f"(last: {how}); stopped the platform instead of restarting it again; "
                f"see {process.log_path}"
            )
        pause = min(policy.first_pause * 2 ** (len(crashes) - 1), policy.longest_pause)
        supervised.restarts += 1
        supervised.restart_at = now + pause
        self._report(
            f"{process.name} exited ({how}); restarting in {pause:g}s "
            f"(restart {supervised.restarts})"
        )

    def _restart(self, supervised: _Supervised) -> None:
        supervised.restart_at = None
        supervised.process.start()
        supervised.restarted = True
        self._report(f"{supervised.process.name} restarted (pid {supervised.process.pid})")
