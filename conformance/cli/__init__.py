"""The commands of kvconform (layer 5): one module per subcommand over shared parts below them."""

from ._main import main

__all__ = ["main"]
