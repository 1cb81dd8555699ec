"""The async half of the ``devtools_testutils`` stand-in."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["recorded_by_proxy_async"]


def recorded_by_proxy_async(test: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Live mode: the test runs as written."""

    @functools.wraps(test)
    async def run(*args: Any, **kwargs: Any) -> Any:
        kwargs.pop("variables", None)
        return await test(*args, **kwargs)

    return run
