"""Who else holds a canvas: learned from announcements, forgotten when released or silent."""

from __future__ import annotations

from ms_canvas.domain.holders import CanvasHolders

BOARD = "spaces/s/canvases/board"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_holder_is_new_once_and_known_while_it_keeps_announcing() -> None:
    clock = Clock()
    holders = CanvasHolders(expires_after=30, clock=clock)
    assert not holders.held_elsewhere(BOARD)
    assert holders.saw(BOARD, "b") is True
    clock.now += 20
    assert holders.saw(BOARD, "b") is False
    clock.now += 20  # 40 s after the first announcement, 20 after the last
    assert holders.held_elsewhere(BOARD)


def test_a_silent_holder_expires_and_is_new_again() -> None:
    clock = Clock()
    holders = CanvasHolders(expires_after=30, clock=clock)
    holders.saw(BOARD, "b")
    clock.now += 30
    assert not holders.held_elsewhere(BOARD)
    assert holders.saw(BOARD, "b") is True


def test_released_and_forgotten_canvases_have_no_holders() -> None:
    holders = CanvasHolders(expires_after=30, clock=Clock())
    holders.saw(BOARD, "b")
    holders.saw(BOARD, "c")
    holders.released(BOARD, "b")
    assert holders.held_elsewhere(BOARD)
    holders.forget(BOARD)
    assert not holders.held_elsewhere(BOARD)
    assert holders.saw(BOARD, "c") is True
