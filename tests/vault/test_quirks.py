"""The quirk catalogue: behaviours that are no departure, only trouble a run must survive; each seen over HTTP."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from kvconform_vault import FAULTS, QUIRKS, Quirk, VaultSettings

from ._support import Vault

MakeVault = Callable[..., Vault]


def test_quirks_are_their_own_kind_apart_from_the_scored_faults() -> None:
    assert sorted(QUIRKS) == ["foreign-next-link", "orphan-operation", "purge-delay"]
    assert not QUIRKS.keys() & FAULTS.keys(), "the self-test scores FAULTS: a quirk must not be among them"
    for name, quirk in QUIRKS.items():
        assert isinstance(quirk, Quirk) and quirk.name == name
        assert quirk.description.endswith(".") and quirk.seen, name


def test_settings_take_a_quirk_like_a_fault_and_refuse_an_unknown_name() -> None:
    settings = VaultSettings(faults=frozenset({"purge-delay", "no-retry-after"}))
    assert settings.fault("purge-delay") and not settings.fault("orphan-operation")
    with pytest.raises(ValueError, match=r"unknown fault\(s\) nope; .*; quirks: foreign-next-link, orphan-operation"):
        VaultSettings(faults=frozenset({"nope"}))


def _deleted(vault: Vault, name: str) -> None:
    assert vault.create(name, issuer="Unknown").status_code == 202
    assert vault.send("DELETE", f"/certificates/{name}").status_code == 200


# -- purge-delay ------------------------------------------------------------------------------------------------
def test_purge_delay_refuses_the_first_purge_as_being_deleted_then_purges(make_vault: MakeVault) -> None:
    vault = make_vault(faults={"purge-delay"})
    _deleted(vault, "c")
    first = vault.send("DELETE", "/deletedcertificates/c")
    assert first.status_code == 409
    assert first.json()["error"]["code"] == "Conflict"
    assert first.json()["error"]["innererror"]["code"] == "ObjectIsBeingDeleted"
    assert vault.send("GET", "/deletedcertificates/c").status_code == 200, "still deleted, not purged"
    assert vault.send("DELETE", "/deletedcertificates/c").status_code == 204
    assert vault.send("GET", "/deletedcertificates/c").status_code == 404


def test_without_purge_delay_the_first_purge_purges(make_vault: MakeVault) -> None:
    vault = make_vault()
    _deleted(vault, "c")
    assert vault.send("DELETE", "/deletedcertificates/c").status_code == 204


# -- foreign-next-link ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/certificates", "/deletedcertificates", "/certificates/issuers"])
def test_foreign_next_link_answers_every_list_with_a_next_link_on_another_origin(
    make_vault: MakeVault, path: str
) -> None:
    assert make_vault().send("GET", path).json()["nextLink"] is None, "one page: no nextLink"
    listed = make_vault(faults={"foreign-next-link"}).send("GET", path)
    assert listed.status_code == 200
    assert listed.json()["nextLink"] == f"http://elsewhere.test{path}?page=2"


# -- orphan-operation -------------------------------------------------------------------------------------------
def test_orphan_operation_keeps_the_operation_of_a_deleted_and_purged_certificate(make_vault: MakeVault) -> None:
    vault = make_vault(faults={"orphan-operation"})
    request_id = vault.create("c", issuer="Unknown").json()["request_id"]
    assert vault.send("DELETE", "/certificates/c").status_code == 200
    assert vault.send("DELETE", "/deletedcertificates/c").status_code == 204
    left = vault.pending("c", request_id)
    assert left.status_code == 200 and left.json()["status"] == "inProgress", "…/pending still answers it"
    assert vault.certificate("c", None).status_code == 404
    listed = vault.send("GET", "/certificates", params={"includePending": "true"}).json()["value"]
    assert listed == [] and vault.send("GET", "/deletedcertificates").json()["value"] == [], "listed nowhere"
    assert vault.delete_pending("c").status_code == 200
    assert vault.pending("c").status_code == 404


def test_orphan_operation_is_replaced_by_a_new_create(make_vault: MakeVault) -> None:
    vault = make_vault(faults={"orphan-operation"})
    old = vault.create("c", issuer="Unknown").json()["request_id"]
    assert vault.send("DELETE", "/certificates/c").status_code == 200
    assert vault.send("DELETE", "/deletedcertificates/c").status_code == 204
    new = vault.create("c", issuer="Unknown").json()["request_id"]
    assert new != old and vault.pending("c", old).status_code == 404
    assert vault.delete_pending("c").status_code == 200 and vault.pending("c").status_code == 404


def test_without_orphan_operation_a_certificate_delete_takes_its_operation(make_vault: MakeVault) -> None:
    vault = make_vault()
    _deleted(vault, "c")
    assert vault.pending("c").status_code == 404


# -- the self-test scores departures only -------------------------------------------------------------------------
def test_the_self_test_neither_lists_nor_takes_a_quirk(cli) -> None:  # type: ignore[no-untyped-def]
    from conformance.cli._selftest_readme import catalogue_markdown

    table = catalogue_markdown()
    assert f"{len(FAULTS)} faults;" in table
    assert not [name for name in QUIRKS if f"`{name}`" in table], "a quirk row in the self-test's table"
    result = cli("selftest", "--fault", "purge-delay")
    assert result.code == 2 and "unknown fault(s) purge-delay" in result.stderr
