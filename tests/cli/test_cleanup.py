"""``kvconform cleanup``: lists (--dry-run) and removes only the objects under a kvconform prefix."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from kvconform_vault import VaultSettings, running_vault

from conformance._auth import StaticTokenAuth
from conformance._client import VaultClient

TOKEN = "cleanup-test-token"
RUN = "kvc-0badcafe-"
OTHER_RUN = "kvc-11111111-"


@pytest.fixture
def vault() -> Iterator[VaultClient]:
    """A reference vault holding a run's leftovers, another run's, and production objects."""
    settings = VaultSettings(issuance_delay=0.0, cancel_delay=0.0, failure_delay=0.0, token=TOKEN)
    with running_vault(settings) as url, VaultClient(url, api_version="7.6", auth=StaticTokenAuth(TOKEN)) as client:
        for name, issuer in [
            (f"{RUN}pending", "Unknown"),
            (f"{RUN}done", "Self"),
            (f"{RUN}deleted", "Self"),
            (f"{OTHER_RUN}x", "Self"),
            ("prod-web", "Self"),
            ("prod-old", "Self"),
            ("a-kvc-0badcafe-not-a-prefix", "Self"),
        ]:
            body = {"policy": {"issuer": {"name": issuer}, "x509_props": {"subject": "CN=x"}}}
            assert client.request("POST", f"/certificates/{name}/create", json_body=body).status == 202
        for name in (f"{RUN}deleted", "prod-old"):
            assert client.request("DELETE", f"/certificates/{name}").status == 200
        for name in (f"{RUN}iss", "prod-digicert"):
            body = {"provider": "Test", "credentials": {"account_id": "a", "pwd": "issuer-secret-pwd"}}
            assert client.request("PUT", f"/certificates/issuers/{name}", json_body=body).status == 200
        yield client


def _inventory(client: VaultClient) -> set[str]:
    names: set[str] = set()
    for kind, path, params in [
        ("certificate", "/certificates", {"includePending": "true"}),
        ("deleted certificate", "/deletedcertificates", {"includePending": "true"}),
        ("issuer", "/certificates/issuers", {}),
    ]:
        answer = client.request("GET", path, params=params)
        assert answer.status == 200
        names |= {
            f"{kind} {httpx.URL(item['id']).path.rstrip('/').rsplit('/', 1)[-1]}" for item in answer.json["value"]
        }
    return names


PRODUCTION = {
    "certificate prod-web",
    "certificate a-kvc-0badcafe-not-a-prefix",
    "deleted certificate prod-old",
    "issuer prod-digicert",
}
RUN_OBJECTS = {
    f"certificate {RUN}pending",
    f"certificate {RUN}done",
    f"deleted certificate {RUN}deleted",
    f"issuer {RUN}iss",
}


def _cleanup(cli, client: VaultClient, *args: str):  # type: ignore[no-untyped-def]
    return cli("cleanup", "--target", client.base_url, "--token", TOKEN, *args)


def test_dry_run_lists_only_the_prefixed_objects_and_removes_nothing(cli, vault: VaultClient) -> None:  # type: ignore[no-untyped-def]
    before = _inventory(vault)
    assert RUN_OBJECTS | PRODUCTION | {f"certificate {OTHER_RUN}x"} == before
    result = _cleanup(cli, vault, "--prefix", RUN, "--dry-run")
    assert result.code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"would remove certificate {RUN}done",
        f"would remove certificate {RUN}pending",
        f"would remove deleted certificate {RUN}deleted",
        f"would remove issuer {RUN}iss",
        f"kvconform cleanup: 4 object(s) under '{RUN}' would be removed (dry run)",
    ]
    assert _inventory(vault) == before


def test_cleanup_removes_and_purges_only_the_prefixed_objects(cli, vault: VaultClient) -> None:  # type: ignore[no-untyped-def]
    result = _cleanup(cli, vault, "--prefix", RUN)
    assert result.code == 0, result.stderr
    assert sorted(result.stdout.splitlines()[:-1]) == sorted(
        [
            f"removed certificate {RUN}deleted",
            f"removed certificate {RUN}done",
            f"removed certificate {RUN}pending",
            f"removed issuer {RUN}iss",
        ]
    )
    assert result.stdout.splitlines()[-1].startswith(f"kvconform cleanup: removed 4 object(s) under '{RUN}'")
    assert _inventory(vault) == PRODUCTION | {f"certificate {OTHER_RUN}x"}


def test_all_kvconform_removes_every_run_but_nothing_else(cli, vault: VaultClient) -> None:  # type: ignore[no-untyped-def]
    result = _cleanup(cli, vault, "--all-kvconform")
    assert result.code == 0, result.stderr
    assert _inventory(vault) == PRODUCTION
    assert "issuer-secret-pwd" not in result.stdout + result.stderr


@pytest.mark.parametrize("prefix", ["a", "prod", "kv-1234"])
def test_a_short_foreign_prefix_is_refused(cli, prefix: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("cleanup", "--target", "http://127.0.0.1:9", "--token", TOKEN, "--prefix", prefix)
    assert result.code == 2
    assert result.stderr.startswith(f"kvconform: UsageError: refusing prefix '{prefix}'")
    assert result.stderr.count("\n") == 1


def test_a_long_foreign_prefix_is_allowed(cli, vault: VaultClient) -> None:  # type: ignore[no-untyped-def]
    result = _cleanup(cli, vault, "--prefix", "prod-old-and-unused", "--dry-run")
    assert result.code == 0 and result.stdout.endswith(
        "0 object(s) under 'prod-old-and-unused' would be removed (dry run)\n"
    )


def test_prefix_or_all_is_required(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("cleanup", "--target", "http://127.0.0.1:9")
    assert result.code == 2
    assert "one of the arguments --prefix --all-kvconform is required" in result.stderr


def test_an_unreachable_target_is_one_line_and_exit_3(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("cleanup", "--target", "http://127.0.0.1:9", "--token", TOKEN, "--all-kvconform")
    assert result.code == 3
    assert result.stderr.startswith("kvconform: TargetUnreachable: cannot reach the target")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_wrong_token_is_one_line_and_exit_3(cli, vault: VaultClient) -> None:  # type: ignore[no-untyped-def]
    result = cli("cleanup", "--target", vault.base_url, "--token", "wrong-token", "--all-kvconform")
    assert result.code == 3
    assert result.stderr.startswith("kvconform: AuthRejected: the target refused the credentials (401")
    assert "wrong-token" not in result.stderr
