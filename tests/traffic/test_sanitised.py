"""Recognising values a recorder sanitised, on the markers of the real sessions, and the switch that turns it off."""

from __future__ import annotations

import pytest

from conformance.traffic import (
    NO_SANITISATION,
    Sanitisation,
    is_sanitised,
    is_sanitised_host,
    is_sanitised_url,
    read_traffic,
)

from ._support import HARS, RECORDINGS, exchanges

SANITISED = [
    "Sanitized",
    "sanitized",
    "REDACTED",
    "***",
    "[REDACTED]",
    "00000000-0000-0000-0000-000000000000",
    'Bearer authorization="https://login.windows.net/00000000-0000-0000-0000-000000000000", resource="x"',
    "https://REDACTED.com",
    "https://REDACTED/certificates/c/pending?api-version=7.6",
    "https://fakekvurl.vault.azure.net/certificates/c/pending",
    "https://Sanitized.vault.azure.net/certificates/c",
    "00000000000000000000000000000000",
]
REAL = [
    "",
    None,
    "5eb1360c-900b-43ab-b755-456e3173d5c9",
    "inProgress",
    "https://tb0f745ebb7bfae58.vault.azure.net/certificates/c/pending",
    "https://myvault.vault.azure.net/certificates/sanitizedName/pending",  # a name that contains the word
    "10",
    "application/json; charset=utf-8",
    "c1ca41f4fdea4df9a90906a0e9ed1ef0",
    "unsanitized",
]


@pytest.mark.parametrize("value", SANITISED)
def test_sanitised_values_are_recognised(value: str) -> None:
    assert is_sanitised(value)
    assert not NO_SANITISATION.value(value)  # the switch: judged as it stands


@pytest.mark.parametrize("value", REAL)
def test_real_values_are_not(value: str | None) -> None:
    assert not is_sanitised(value)


def test_hosts_and_urls() -> None:
    for host in (
        "fakekvurl.vault.azure.net",
        "REDACTED",
        "redacted.com",
        "Sanitized.vault.azure.net:443",
        "vaultname.vault.azure.net",
        "keyvault_name.vault.azure.net",
    ):
        assert is_sanitised_host(host) and not Sanitisation(enabled=False).host(host)
    for real in ("tb0f745ebb7bfae58.vault.azure.net", "127.0.0.1:8443", "localhost", "", None):
        assert not is_sanitised_host(real)
    assert is_sanitised_url("https://REDACTED.com")
    assert not is_sanitised_url("https://testvault1021.vault.azure.net/certificates/c?api-version=2016-10-01")
    assert not is_sanitised_url("not a url") and not is_sanitised_url("https://[bad/")
    assert not NO_SANITISATION.url("https://REDACTED.com")


def test_the_markers_of_the_real_sessions_are_found_where_the_readme_says() -> None:
    by_name = {path.name.split("-")[0]: path for path in RECORDINGS}
    java = [item.exchange for item in exchanges(list(read_traffic(by_name["50"])))]
    assert all(is_sanitised_url(exchange.url) for exchange in java)  # host REDACTED
    assert is_sanitised(java[1].header("x-ms-request-id")) and is_sanitised(java[1].header("location"))
    go = [item.exchange for item in exchanges(list(read_traffic(by_name["52"])))]
    assert all(is_sanitised_url(exchange.url) for exchange in go)  # fakekvurl
    net = [item.exchange for item in exchanges(list(read_traffic(by_name["16"])))]
    assert not any(is_sanitised_url(exchange.url) for exchange in net)  # a real host
    assert is_sanitised(net[0].header("x-ms-client-request-id"))
    assert not is_sanitised(net[0].header("x-ms-request-id"))


@pytest.mark.parametrize("path", HARS, ids=lambda p: p.name)
def test_statuses_and_operation_states_are_never_taken_for_sanitised(path: object) -> None:
    for item in exchanges(list(read_traffic(path))):  # type: ignore[arg-type]
        body = item.exchange.response_body
        if isinstance(body, dict) and isinstance(body.get("status"), str):
            assert not is_sanitised(body["status"])
