from __future__ import annotations

from conformance.errors import TargetTimeout


def test_a_wait_that_reaches_the_timeout_says_how_to_raise_it() -> None:
    error = TargetTimeout.waiting("S03 waits for completion", "kvc-a", 120)
    assert str(error) == (
        "S03 waits for completion: the operation on kvc-a was still inProgress after 120 s; "
        "raise --timeout if the vault is slow (docs/configuration.md#timing-on-real-vaults)"
    )
