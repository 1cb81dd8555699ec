"""The one delete-and-purge routine (``_sweep.remove``) against a wrong server whose certificate delete leaves the
pending operation behind, and the leftovers it reports. (The prefix sweep's listing is tested in tests/fuzz/.)"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from conformance._auth import StaticTokenAuth
from conformance._checks import Verdicts
from conformance._client import VaultClient
from conformance._config import TargetConfig
from conformance._sweep import remove, sweep
from conformance.scenarios._context import Scenario
from tests.fixtures.reference import Seeded, reference_vault

PREFIX = "kvc-0a0a0a0a-"


@pytest.fixture
def orphaning() -> Iterator[tuple[Seeded, VaultClient]]:
    """A vault whose certificate delete leaves the operation; it holds a run's pending certificate and an orphan."""
    with reference_vault("orphan-operation") as vault:
        vault.pending(f"{PREFIX}a", "prod-web")
        vault.orphan(f"{PREFIX}orphan")  # its certificate was deleted and purged, the operation stayed
        with VaultClient(vault.url, api_version="7.6", auth=StaticTokenAuth("t")) as client:
            yield vault, client


def _orphans(vault: Seeded) -> list[str]:
    return [name for name in (f"{PREFIX}a", f"{PREFIX}orphan") if vault.operation(name)]


def test_the_wrong_server_really_leaves_the_operation_behind(orphaning: tuple[Seeded, VaultClient]) -> None:
    vault, client = orphaning
    assert client.request("DELETE", f"/certificates/{PREFIX}a").status == 200
    assert client.request("DELETE", f"/deletedcertificates/{PREFIX}a").status == 204
    assert client.request("GET", f"/certificates/{PREFIX}a/pending").status == 200, "the quirk is on"
    assert f"{PREFIX}a" not in vault.certificates() | vault.deleted_names()


def test_remove_deletes_the_operation_of_every_name_then_the_certificate_and_purges(
    orphaning: tuple[Seeded, VaultClient],
) -> None:
    vault, client = orphaning
    result = remove(client, [f"{PREFIX}a", f"{PREFIX}orphan"], purge_wait=5)
    assert result.removed == [f"{PREFIX}a", f"{PREFIX}orphan"] and result.leftovers == []
    assert _orphans(vault) == [] and vault.certificates() == {"prod-web"} and vault.deleted_names() == set()


def test_the_scenario_cleanup_uses_the_routine(orphaning: tuple[Seeded, VaultClient]) -> None:
    vault, client = orphaning
    scenario = Scenario(client, Verdicts("S01", frozenset()), prefix=PREFIX, poll_interval=0.1, timeout=1)
    scenario.certificates += [f"{PREFIX}a", f"{PREFIX}orphan"]
    scenario.cleanup(purge_wait=5)
    assert scenario.cleanup_problems == []
    assert _orphans(vault) == [] and vault.certificates() == {"prod-web"}


def test_the_sweep_removes_the_orphans_of_the_names_a_run_made(orphaning: tuple[Seeded, VaultClient]) -> None:
    vault, client = orphaning
    config = TargetConfig(target=client.base_url, prefix=PREFIX)
    found = sweep(config, StaticTokenAuth("t"), dry_run=True, names=[f"{PREFIX}orphan", "prod-web"])
    assert found.found == [f"certificate {PREFIX}a", f"name {PREFIX}orphan (created by this run)"]
    result = sweep(config, StaticTokenAuth("t"), names=[f"{PREFIX}orphan", "prod-web"], purge_wait=5)
    assert sorted(result.removed) == [f"{PREFIX}a", f"{PREFIX}orphan"] and result.leftovers == []
    assert _orphans(vault) == [] and vault.certificates() == {"prod-web"}, "a name outside the prefix is never touched"


def test_cleanup_finds_the_operation_of_a_deleted_certificate(cli, orphaning: tuple[Seeded, VaultClient]) -> None:  # type: ignore[no-untyped-def]
    vault, client = orphaning
    assert client.request("DELETE", f"/certificates/{PREFIX}a").status == 200  # soft-deleted, its operation stays
    result = cli("cleanup", "--target", client.base_url, "--token", "t", "--all-kvconform")
    assert result.code == 0, result.stderr
    assert f"removed certificate {PREFIX}a" in result.stdout
    assert not vault.operation(f"{PREFIX}a") and vault.deleted_names() == set()


def _scripted(answers: dict[str, int]) -> VaultClient:
    """A client of a target answering ``"METHOD path-suffix" -> status``; a soft-deleting delete by default."""

    def handler(request: httpx.Request) -> httpx.Response:
        for key, status in answers.items():
            method, suffix = key.split(" ", 1)
            if request.method == method and request.url.path.endswith(suffix):
                body = {"recoveryId": "x"} if status == 200 else {"error": {"code": "X", "message": "no"}}
                return httpx.Response(status, json=body)
        return httpx.Response(404, json={"error": {"code": "NotFound", "message": "none"}})

    return VaultClient(
        "https://vault.test", api_version="7.6", auth=StaticTokenAuth("t"), transport=httpx.MockTransport(handler)
    )


def test_what_cannot_be_removed_is_a_leftover() -> None:
    name = f"{PREFIX}a"
    cases = [
        (
            {"DELETE /pending": 403, f"DELETE /certificates/{name}": 200, "DELETE /deletedcertificates/" + name: 204},
            [f"pending {name}: delete answered 403"],
        ),
        ({f"DELETE /certificates/{name}": 500}, [f"certificate {name}: delete answered 500"]),
        ({f"DELETE /certificates/{name}": 200}, [f"certificate {name}: purge answered 404"]),  # never purgeable
        ({"DELETE /issuers/" + f"{PREFIX}iss": 403}, [f"issuer {PREFIX}iss: delete answered 403"]),
    ]
    for answers, leftovers in cases:
        with _scripted(answers) as client:
            result = remove(client, [name], [f"{PREFIX}iss"], purge_wait=0)
        assert result.leftovers == leftovers, answers
    unreachable = VaultClient("http://127.0.0.1:9", api_version="7.6", auth=StaticTokenAuth("t"), timeout=2)
    with unreachable:
        result = remove(unreachable, [name], [f"{PREFIX}iss"])
    assert [leftover.split(":", 1)[0] for leftover in result.leftovers] == [
        f"certificate {name}",
        f"issuer {PREFIX}iss",
    ]
