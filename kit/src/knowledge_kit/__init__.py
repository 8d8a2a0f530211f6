"""knowledge-kit: the runtime every knowledge platform service pins. See kit/README.md."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("knowledge-kit")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
