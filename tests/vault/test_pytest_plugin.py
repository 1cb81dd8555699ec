"""The ``mock_keyvault`` fixtures (``kvconform_vault.pytest_plugin``), used from a plain pytest suite."""

from __future__ import annotations

import pytest

APP_TEST = '''
import httpx
from azure.keyvault.certificates import CertificatePolicy


def store_certificate(client, name):
    """App code under test: makes a self-signed certificate and returns its thumbprint."""
    poller = client.begin_create_certificate(name, CertificatePolicy.get_default(), _polling_interval=0.05)
    return poller.result().properties.x509_thumbprint


def test_app_code_against_the_mock(mock_keyvault):
    assert mock_keyvault.url.startswith("https://127.0.0.1:")
    assert store_certificate(mock_keyvault.certificate_client, "my-app")
    assert mock_keyvault.certificate_client.get_certificate("my-app").cer


def test_the_session_vault_is_shared(mock_keyvault):
    assert mock_keyvault.certificate_client.get_certificate("my-app").name == "my-app"


def test_a_fresh_vault_is_empty(fresh_mock_keyvault):
    token = fresh_mock_keyvault.credential.get_token("https://vault.azure.net/.default").token
    with httpx.Client(verify=fresh_mock_keyvault.ca_bundle) as client:
        answer = client.get(
            f"{fresh_mock_keyvault.url}/certificates?api-version=7.6", headers={"Authorization": f"Bearer {token}"}
        )
    assert answer.json() == {"value": [], "nextLink": None}
'''


@pytest.mark.slow
def test_a_plain_pytest_suite_uses_the_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app=APP_TEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:cov", "-v")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["*test_app_code_against_the_mock PASSED*", "*test_a_fresh_vault_is_empty PASSED*"])


def test_the_fixtures_are_inert_unless_used(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "import sys\n"
        "def test_plain():\n"
        "    assert 'kvconform_vault.pytest_plugin' in sys.modules  # the entry point loaded\n"
        "    assert 'kvconform_vault._app' not in sys.modules and 'uvicorn' not in sys.modules\n"
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:cov")
    result.assert_outcomes(passed=1)


def test_the_fixtures_are_listed(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--fixtures", "-p", "no:xdist", "-p", "no:cov")
    result.stdout.fnmatch_lines(["mock_keyvault [[]session scope[]] -- *kvconform_vault*pytest_plugin.py*"])
    result.stdout.fnmatch_lines(["fresh_mock_keyvault -- *kvconform_vault*pytest_plugin.py*"])


def test_the_certificate_client_names_the_missing_package(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from kvconform_vault import MockKeyVault, StaticTokenCredential

    monkeypatch.setitem(sys.modules, "azure.keyvault.certificates", None)
    vault = MockKeyVault("https://127.0.0.1:1", "ca.pem", StaticTokenCredential())
    with pytest.raises(ImportError, match="needs azure-keyvault-certificates"):
        vault.certificate_client  # noqa: B018
