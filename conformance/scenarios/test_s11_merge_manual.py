"""S11 — Merge on a manual operation: a certificate for the pending key completes it; another key is refused."""

from __future__ import annotations

import base64
import re
from urllib.parse import urlsplit

import pytest

from .._x509 import ThrowawayCA, thumbprint
from ._context import Scenario, has_envelope, json_of, norm_status, policy

_TIMESTAMPS = ("nbf", "exp", "created", "updated")


def _bundle_problems(body: dict[str, object], name: str, base_url: str, leaf: bytes) -> list[str]:
    problems: list[str] = []
    versions = set()
    for field, kind in (("id", "certificates"), ("kid", "keys"), ("sid", "secrets")):
        value = str(body.get(field, ""))
        match = re.fullmatch(rf"{re.escape(base_url)}/{kind}/{re.escape(name)}/([^/?]+)", value, flags=re.IGNORECASE)
        if match is None:
            problems.append(f"{field} {value!r} is not {base_url}/{kind}/{name}/{{version}}")
        else:
            versions.add(match.group(1))
    if len(versions) > 1:
        problems.append(f"id, kid and sid name different versions {sorted(versions)}")
    if body.get("cer") != base64.b64encode(leaf).decode():
        problems.append("cer is not the merged leaf certificate")
    if body.get("x5t") != thumbprint(leaf):
        problems.append(f"x5t {body.get('x5t')!r} is not the leaf's SHA-1 thumbprint {thumbprint(leaf)!r}")
    attributes = body.get("attributes")
    if not isinstance(attributes, dict) or not isinstance(attributes.get("enabled"), bool):
        problems.append(f"attributes {attributes!r} lack enabled")
    else:
        missing = [key for key in _TIMESTAMPS if not isinstance(attributes.get(key), int)]
        if missing:
            problems.append(f"attributes lack {', '.join(missing)}")
    if not isinstance(body.get("policy"), dict):
        problems.append("policy is missing")
    return problems


@pytest.mark.kv_scenario("S11", requirements=["S11-MERGE-201", "S11-BUNDLE", "S11-OPERATION-COMPLETED"])
def test_merge_manual(kv: Scenario) -> None:
    name = kv.name("s11")
    created = kv.precondition(
        kv.create(name, policy(f"CN={name}", issuer="Unknown")), 202, "create with issuer Unknown"
    )
    ca = ThrowawayCA()
    leaf = ca.sign_csr(str(created.get("csr", "")))
    merged = kv.merge(name, [leaf, ca.der])
    location = urlsplit(merged.header("location") or "")
    vault = urlsplit(kv.base_url)
    kv.check(
        "S11-MERGE-201",
        merged.status == 201
        and location.netloc.lower() == vault.netloc.lower()
        and location.path.rstrip("/").lower() == f"/certificates/{name}".lower(),
        "Merge of a certificate issued for the pending key",
        expected=f"201 with Location {kv.base_url}/certificates/{name}?api-version=…",
        received=f"{merged.status} with Location {merged.header('location')!r}",
        exchange=merged,
    )
    body = json_of(merged)
    problems = _bundle_problems(body, name, kv.base_url, leaf)
    kv.check(
        "S11-BUNDLE",
        not problems,
        "The merged certificate bundle",
        expected="id/kid/sid of one version, cer, x5t, attributes, policy",
        received="; ".join(problems),
        exchange=merged,
    )
    after = kv.get_pending(name)
    after_body = json_of(after)
    kv.check(
        "S11-OPERATION-COMPLETED",
        after.status == 200 and norm_status(after_body) == "completed",
        "GET pending after the merge",
        expected="200 completed",
        received=f"{after.status} {after_body.get('status')!r}",
        exchange=after,
    )


@pytest.mark.kv_scenario("S11", requirements=["S11-WRONG-KEY-400"])
def test_merge_wrong_key(kv: Scenario) -> None:
    name = kv.name("s11w")
    kv.precondition(kv.create(name, policy(f"CN={name}", issuer="Unknown")), 202, "create with issuer Unknown")
    ca = ThrowawayCA()
    merged = kv.merge(name, [ca.issue_for_new_key(name), ca.der])
    kv.check(
        "S11-WRONG-KEY-400",
        merged.status == 400 and has_envelope(merged.json),
        "Merge of a certificate whose public key is not the pending key",
        expected="400 with the error envelope",
        received=merged.status,
        exchange=merged,
    )
