from __future__ import annotations

from conformance._auth import StaticTokenAuth
from conformance._config import TargetConfig
from conformance.fuzz import sweep
from tests.fixtures.reference import reference_vault

PREFIX = "kvc-5a5a5a5a-"


def test_the_sweep_deletes_and_purges_only_what_starts_with_the_prefix() -> None:
    with reference_vault("purge-delay") as vault:  # a deleted certificate's first purge answers 409
        vault.pending(f"{PREFIX}a", "KVC-5A5A5A5A-b", "victim")
        vault.deleted(f"{PREFIX}gone", "foreign-deleted")
        vault.issuer(f"{PREFIX}i", "Test")
        vault.issuer("digicert-prod", "DigiCert")
        result = sweep(TargetConfig(target=vault.url, prefix=PREFIX), StaticTokenAuth("t"), purge_wait=5)
        assert sorted(result.removed) == sorted([f"{PREFIX}a", "KVC-5A5A5A5A-b", f"{PREFIX}gone", f"issuer {PREFIX}i"])
        assert result.leftovers == []
        assert vault.certificates() == {"victim"}
        assert vault.deleted_names() == {"foreign-deleted"}
        assert vault.issuers() == {"digicert-prod"}


def test_what_cannot_be_purged_is_a_leftover() -> None:
    # No time to wait for the purge: the certificate stays deleted but not purged (404 while the delete is not yet
    # visible, as on the real service).
    with reference_vault(deleted_visibility_delay=60) as vault:
        vault.pending(f"{PREFIX}a")
        result = sweep(TargetConfig(target=vault.url, prefix=PREFIX), StaticTokenAuth("t"), purge_wait=0)
    assert result.leftovers == [f"certificate {PREFIX}a: purge answered 404"]


def test_an_unreachable_target_is_a_leftover_not_a_crash() -> None:
    result = sweep(TargetConfig(target="http://127.0.0.1:9", prefix=PREFIX, request_timeout=2), StaticTokenAuth("t"))
    assert len(result.leftovers) == 1 and result.leftovers[0].startswith("could not list the target's objects")


def test_a_next_link_to_another_origin_is_not_followed() -> None:
    with reference_vault("foreign-next-link") as vault:
        vault.pending(f"{PREFIX}a")
        seen = len(vault.paths)
        result = sweep(TargetConfig(target=vault.url, prefix=PREFIX), StaticTokenAuth("t"))
        assert result.removed == [] and len(result.leftovers) == 1
        refused = "http://elsewhere.test/certificates?page=2: not sent, the URL is outside the target"
        assert refused in result.leftovers[0]
        assert vault.paths[seen:] == ["/certificates"], "the sweep listed, then stopped"
        assert f"{PREFIX}a" in vault.certificates()
