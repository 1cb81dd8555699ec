from __future__ import annotations

from conformance._auth import StaticTokenAuth
from conformance._config import TargetConfig
from conformance.fuzz import sweep
from tests.fixtures.fuzz_vault import FuzzVault, serve

PREFIX = "kvc-5a5a5a5a-"


def _certificate() -> dict[str, object]:
    return {"pending": True, "cancel": False, "request_id": "r", "version": "0" * 32}


def test_the_sweep_deletes_and_purges_only_what_starts_with_the_prefix() -> None:
    vault = FuzzVault("purge-delay")  # a deleted certificate is purgeable only on the second attempt
    vault.certificates.update(
        {f"{PREFIX}a": _certificate(), "KVC-5A5A5A5A-b": _certificate(), "victim": _certificate()}
    )
    vault.deleted.update({f"{PREFIX}gone": _certificate(), "foreign-deleted": _certificate()})
    vault.issuers.update({f"{PREFIX}i": {"provider": "Test"}, "digicert-prod": {"provider": "DigiCert"}})
    with serve(vault.app) as url:
        result = sweep(TargetConfig(target=url, prefix=PREFIX), StaticTokenAuth("t"), purge_wait=5)
    assert sorted(result.removed) == sorted([f"{PREFIX}a", "KVC-5A5A5A5A-b", f"{PREFIX}gone", f"issuer {PREFIX}i"])
    assert result.leftovers == []
    assert set(vault.certificates) == {"victim"}
    assert set(vault.deleted) == {"foreign-deleted"}
    assert set(vault.issuers) == {"digicert-prod"}


def test_what_cannot_be_purged_is_a_leftover() -> None:
    vault = FuzzVault("purge-delay")
    vault.certificates[f"{PREFIX}a"] = _certificate()
    with serve(vault.app) as url:
        # No time to wait for the purge: the certificate stays deleted but not purged.
        result = sweep(TargetConfig(target=url, prefix=PREFIX), StaticTokenAuth("t"), purge_wait=0)
    assert result.leftovers == [f"certificate {PREFIX}a: purge answered 404"]


def test_an_unreachable_target_is_a_leftover_not_a_crash() -> None:
    result = sweep(TargetConfig(target="http://127.0.0.1:9", prefix=PREFIX, request_timeout=2), StaticTokenAuth("t"))
    assert len(result.leftovers) == 1 and result.leftovers[0].startswith("could not list the target's objects")


def test_a_next_link_to_another_origin_is_not_followed() -> None:
    vault = FuzzVault("foreign-next-link")
    vault.certificates[f"{PREFIX}a"] = _certificate()
    with serve(vault.app) as url:
        result = sweep(TargetConfig(target=url, prefix=PREFIX), StaticTokenAuth("t"))
    assert result.removed == [] and len(result.leftovers) == 1
    assert "http://elsewhere.test/certificates?page=2: not sent, the URL is outside the target" in result.leftovers[0]
    assert f"{PREFIX}a" in vault.certificates
