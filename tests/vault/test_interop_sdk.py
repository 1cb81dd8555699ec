"""The official ``azure-keyvault-certificates`` client, unmodified, against the reference vault over TLS."""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.keyvault.certificates import (
    CertificateClient,
    CertificateOperation,
    CertificatePolicy,
    KeyVaultCertificate,
    WellKnownIssuerNames,
)
from kvconform_vault import VaultSettings, running_vault
from kvconform_vault import localhost_tls as write_localhost_tls

from ._support import ThrowawayCA

pytestmark = pytest.mark.slow
POLL: dict[str, Any] = {"_polling_interval": 0.1}


class StaticToken:
    """A credential that always has the same token (the vault accepts any non-empty bearer token)."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("interop-token", int(time.time()) + 3600)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CertificateClient]:
    files = write_localhost_tls(Path(tmp_path_factory.mktemp("tls")))
    settings = VaultSettings(issuance_delay=0.3, cancel_delay=0.2, failure_delay=0.2)
    with running_vault(settings, ssl_certfile=str(files.cert_file), ssl_keyfile=str(files.key_file)) as url:
        # No verify_challenge_resource=False: the vault's challenge names a resource the SDK accepts for 127.0.0.1.
        with CertificateClient(url, StaticToken(), connection_verify=str(files.ca_file)) as sdk:
            yield sdk


def _name(label: str) -> str:
    return f"sdk-{label}-{uuid.uuid4().hex[:8]}"


def test_create_with_the_default_policy_completes(client: CertificateClient) -> None:
    name = _name("self")
    poller = client.begin_create_certificate(name, CertificatePolicy.get_default(), **POLL)
    certificate = poller.result()
    assert isinstance(certificate, KeyVaultCertificate)
    assert certificate.name == name and certificate.cer
    assert certificate.policy is not None and certificate.policy.subject == "CN=DefaultPolicy"
    operation = client.get_certificate_operation(name)
    assert operation.status == "completed" and operation.target is not None and operation.target.endswith(name)
    assert client.get_certificate_policy(name).issuer_name == "Self"


def test_manual_operation_get_cancel_delete(client: CertificateClient) -> None:
    name = _name("manual")
    policy = CertificatePolicy(issuer_name=WellKnownIssuerNames.unknown, subject="CN=manual")
    started = client.begin_create_certificate(name, policy, **POLL).result()
    assert isinstance(started, CertificateOperation)
    assert started.status == "inProgress" and started.issuer_name == "Unknown"
    assert client.get_certificate_operation(name).status == "inProgress"
    with pytest.raises(ResourceExistsError):
        client.begin_create_certificate(name, policy, **POLL)
    cancelled = client.cancel_certificate_operation(name)
    assert cancelled.cancellation_requested is True
    pending = client.get_certificate(name)
    assert pending.properties is not None and pending.properties.enabled is False and pending.cer is None
    deleted = client.delete_certificate_operation(name)
    assert deleted.id is not None and deleted.id.endswith(f"/certificates/{name}/pending")
    with pytest.raises(ResourceNotFoundError):
        client.get_certificate_operation(name)


def test_merge_a_certificate_signed_over_the_csr(client: CertificateClient) -> None:
    name = _name("merge")
    policy = CertificatePolicy(issuer_name=WellKnownIssuerNames.unknown, subject="CN=merged")
    operation = client.begin_create_certificate(name, policy, **POLL).result()
    assert isinstance(operation, CertificateOperation) and operation.csr is not None
    ca = ThrowawayCA()
    leaf = ca.sign_csr(base64.b64encode(operation.csr).decode())
    merged = client.merge_certificate(name, [leaf, ca.der])
    assert merged.cer is not None and bytes(merged.cer) == leaf
    assert client.get_certificate_operation(name).status == "completed"
    with pytest.raises(HttpResponseError) as wrong:
        other = _name("wrong")
        client.begin_create_certificate(other, policy, **POLL).result()
        client.merge_certificate(other, [ca.issue_for_new_key("stranger")])
    assert wrong.value.status_code == 400


def test_issuers_listing_delete_and_purge(client: CertificateClient) -> None:
    issuer = client.create_issuer(_name("issuer"), "DigiCert", account_id="acct", password="made-up")
    assert issuer.provider == "DigiCert" and issuer.account_id == "acct" and issuer.password is None
    name = _name("gone")
    client.begin_create_certificate(name, CertificatePolicy.get_default(), **POLL).result()
    names = {item.name for item in client.list_properties_of_certificates(include_pending=True, max_page_size=1)}
    assert name in names
    deleted = client.begin_delete_certificate(name, **POLL).result()
    assert deleted.recovery_id is not None
    assert name in {item.name for item in client.list_deleted_certificates()}
    client.purge_deleted_certificate(name)
    with pytest.raises(ResourceNotFoundError):
        client.get_deleted_certificate(name)
