"""Certificate policies: read and checked from a request body, defaults filled in as the service does, rendered.

Defaults (facts file, "Defaults the service fills in"): ``key_props {exportable: true, kty: RSA, key_size: 2048,
reuse_key: false}``, ``secret_props.contentType application/x-pkcs12``, ekus server+client auth, key_usage
digitalSignature+keyEncipherment, validity_months 12, ``basic_constraints {ca: false}``, and a lifetime action at
80 % that is AutoRenew, or EmailContacts for issuer Unknown.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from cryptography import x509

from ._crypto import CURVES, KEY_USAGES, RSA_SIZES, X509Spec, key_properties
from ._crypto import Parsed as ParsedCertificate
from ._errors import VaultError, bad_parameter
from ._subject import SubjectError, parse_subject

PKCS12 = "application/x-pkcs12"
PEM = "application/x-pem-file"
_KTYS = ("RSA", "RSA-HSM", "EC", "EC-HSM")
_SANS = ("emails", "dns_names", "upns", "ipAddresses", "uris")
_USAGE_BY_LOWER = {name.lower(): name for name in KEY_USAGES}
_EKU_DEFAULT = ("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2")
_CURVE_SIZES = {"P-256": 256, "P-384": 384, "P-521": 521}
_USAGE_DEFAULT = ("digitalSignature", "keyEncipherment")


@dataclasses.dataclass(frozen=True)
class KeyProps:
    kty: str = "RSA"
    key_size: int | None = 2048
    crv: str | None = None
    exportable: bool = True
    reuse_key: bool = False


@dataclasses.dataclass(frozen=True)
class Policy:
    """A certificate's policy with every default filled in."""

    key: KeyProps
    content_type: str
    subject: str | None
    name: x509.Name
    sans: dict[str, tuple[str, ...]]
    ekus: tuple[str, ...]
    key_usage: tuple[str, ...]
    validity_months: int
    lifetime_actions: tuple[dict[str, Any], ...]
    issuer_name: str
    issuer_extra: dict[str, Any]
    enabled: bool
    created: int
    updated: int
    platform_managed: dict[str, Any] | None = None

    @property
    def manual(self) -> bool:
        return self.issuer_name.lower() == "unknown"

    def spec(self, subject: x509.Name | None = None) -> X509Spec:
        """What the certificate should hold (``subject`` overrides the policy's, for a fault)."""
        return X509Spec(
            subject=subject if subject is not None else self.name,
            dns_names=self.sans.get("dns_names", ()),
            emails=self.sans.get("emails", ()),
            upns=self.sans.get("upns", ()),
            ip_addresses=self.sans.get("ipAddresses", ()),
            uris=self.sans.get("uris", ()),
            key_usage=self.key_usage,
            ekus=self.ekus,
            validity_months=self.validity_months,
        )

    def document(self, policy_id: str, *, months_as_string: bool = False) -> dict[str, Any]:
        """The policy as the service returns it."""
        key_props: dict[str, Any] = {"exportable": self.key.exportable, "kty": self.key.kty}
        if self.key.key_size is not None:
            key_props["key_size"] = self.key.key_size
        if self.key.crv is not None:
            key_props["crv"] = self.key.crv
        key_props["reuse_key"] = self.key.reuse_key
        x509_props: dict[str, Any] = {}
        if self.subject:
            x509_props["subject"] = self.subject
        if self.sans:
            x509_props["sans"] = {key: list(values) for key, values in self.sans.items()}
        x509_props["ekus"] = list(self.ekus)
        x509_props["key_usage"] = list(self.key_usage)
        x509_props["validity_months"] = str(self.validity_months) if months_as_string else self.validity_months
        x509_props["basic_constraints"] = {"ca": False}
        doc: dict[str, Any] = {
            "id": policy_id,
            "key_props": key_props,
            "secret_props": {"contentType": self.content_type},
            "x509_props": x509_props,
            "lifetime_actions": [dict(action) for action in self.lifetime_actions],
            "issuer": {"name": self.issuer_name, **self.issuer_extra},
            "attributes": {"enabled": self.enabled, "created": self.created, "updated": self.updated},
        }
        if self.platform_managed is not None:
            doc["platformManaged"] = dict(self.platform_managed)
        return doc


def _invalid(path: str, detail: str = "") -> VaultError:
    return bad_parameter(f"Property {path} has invalid value." + (f" {detail}" if detail else ""))


def _object(raw: Any, path: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _invalid(path, "An object is expected.")
    return raw


def _member(raw: dict[str, Any], key: str, path: str, accepts: Callable[[Any], bool], expected: str) -> Any:
    """``raw[key]``, None when absent or null; a value ``accepts`` refuses is 400 at ``path.key``: "<expected> is
    expected."."""
    value = raw.get(key)
    if value is not None and not accepts(value):
        raise _invalid(f"{path}.{key}", f"{expected} is expected.")
    return value


def _bool(raw: dict[str, Any], key: str, path: str, default: bool) -> bool:
    value: bool | None = _member(raw, key, path, lambda member: isinstance(member, bool), "A boolean")
    return default if value is None else value


def _int(raw: dict[str, Any], key: str, path: str) -> int | None:
    number: int | None = _member(raw, key, path, _is_integer, "An integer")
    return number


def _str(raw: dict[str, Any], key: str, path: str) -> str | None:
    text: str | None = _member(raw, key, path, lambda member: isinstance(member, str), "A string")
    return text


def _strings(raw: dict[str, Any], key: str, path: str) -> tuple[str, ...] | None:
    items: list[str] | None = _member(raw, key, path, _is_strings, "An array of strings")
    return None if items is None else tuple(items)


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # JSON true is no integer


def _is_strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _key_props(raw: dict[str, Any]) -> KeyProps:
    path = "policy.key_props"
    kty_text = _str(raw, "kty", path) or "RSA"
    kty = next((known for known in _KTYS if known.lower() == kty_text.lower()), None)
    if kty is None:
        raise _invalid(f"{path}.kty", f"Supported key types: {', '.join(_KTYS)}.")
    key_size = _int(raw, "key_size", path)
    crv = _str(raw, "crv", path)
    exportable = _bool(raw, "exportable", path, True)
    reuse_key = _bool(raw, "reuse_key", path, False)
    if kty.startswith("EC"):
        crv = crv or "P-256"
        if crv not in CURVES:
            raise _invalid(f"{path}.crv", f"Supported curves: {', '.join(CURVES)}.")
        # An EC policy echoes the key_size it was given (the curve's size: the SDKs send 256 with P-256, and the
        # service returns it, Python recording test_policy); a size of another curve is refused.
        if key_size is not None and key_size != _CURVE_SIZES[crv]:
            raise _invalid(f"{path}.key_size", f"The curve {crv} has a key size of {_CURVE_SIZES[crv]}.")
        return KeyProps(kty, key_size, crv, exportable, reuse_key)
    if crv is not None:
        raise _invalid(f"{path}.crv", "A curve applies to EC keys only.")
    key_size = key_size or 2048
    if key_size not in RSA_SIZES:
        raise _invalid(f"{path}.key_size", f"Supported RSA key sizes: {', '.join(map(str, RSA_SIZES))}.")
    return KeyProps(kty, key_size, None, exportable, reuse_key)


def _sans(raw: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    sans = _object(raw.get("sans"), "policy.x509_props.sans")
    found = {}
    for key in _SANS:
        values = _strings(sans, key, "policy.x509_props.sans")
        if values:
            found[key] = values
    return found


def _lifetime_actions(raw: Any, manual: bool) -> tuple[dict[str, Any], ...]:
    path = "policy.lifetime_actions"
    if raw is None:
        default = "EmailContacts" if manual else "AutoRenew"
        return ({"trigger": {"lifetime_percentage": 80}, "action": {"action_type": default}},)
    if not isinstance(raw, list):
        raise _invalid(path, "An array is expected.")
    actions = []
    for item in raw:
        item = _object(item, path)
        trigger = _object(item.get("trigger"), f"{path}.trigger")
        action = _object(item.get("action"), f"{path}.action")
        percentage = _int(trigger, "lifetime_percentage", f"{path}.trigger")
        days = _int(trigger, "days_before_expiry", f"{path}.trigger")
        action_type = _str(action, "action_type", f"{path}.action")
        if (percentage is None) == (days is None) or (percentage is not None and not 1 <= percentage <= 99):
            raise _invalid(f"{path}.trigger", "Give lifetime_percentage (1-99) or days_before_expiry.")
        if action_type is None or action_type.lower() not in ("emailcontacts", "autorenew"):
            raise _invalid(f"{path}.action.action_type", "EmailContacts or AutoRenew is expected.")
        key, value = ("lifetime_percentage", percentage) if percentage is not None else ("days_before_expiry", days)
        actions.append({"trigger": {key: value}, "action": {"action_type": action_type}})
    return tuple(actions)


def _platform_managed(raw: Any) -> dict[str, Any] | None:
    """``platformManaged`` (2026-03-01-preview and later): ``certificateUsage`` (required) and free-form
    ``metadata``, kept and returned as given."""
    if raw is None:
        return None
    path = "policy.platformManaged"
    body = _object(raw, path)
    usage = _str(body, "certificateUsage", path)
    if not usage:
        raise _invalid(f"{path}.certificateUsage", "A string is required.")
    found: dict[str, Any] = {"certificateUsage": usage}
    if body.get("metadata") is not None:
        found["metadata"] = _object(body["metadata"], f"{path}.metadata")
    return found


def parse_policy(
    raw: Any, *, now: int, imported: ParsedCertificate | None = None, content_type: str | None = None
) -> Policy:
    """The policy of a create (or, with ``imported``, of an import) with every default filled in.

    ``content_type`` is the secret's content type when the policy does not name one (an import sniffs it).
    """
    body = _object(raw, "policy")
    x509_raw = _object(body.get("x509_props"), "policy.x509_props")
    issuer_raw = _object(body.get("issuer"), "policy.issuer")
    secret_raw = _object(body.get("secret_props"), "policy.secret_props")
    attributes = _object(body.get("attributes"), "policy.attributes")

    key = _key_props(_object(body.get("key_props"), "policy.key_props"))
    platform_managed = _platform_managed(body.get("platformManaged"))
    content_type = _str(secret_raw, "contentType", "policy.secret_props") or content_type or PKCS12
    if content_type not in (PKCS12, PEM):
        raise _invalid("policy.secret_props.contentType", f"{PKCS12} or {PEM} is expected.")
    subject = _str(x509_raw, "subject", "policy.x509_props")
    sans = _sans(x509_raw)
    ekus = _strings(x509_raw, "ekus", "policy.x509_props")
    usage_raw = _strings(x509_raw, "key_usage", "policy.x509_props")
    validity = _int(x509_raw, "validity_months", "policy.x509_props")
    issuer_name = _str(issuer_raw, "name", "policy.issuer") or "Unknown"
    issuer_extra: dict[str, Any] = {}
    cty = _str(issuer_raw, "cty", "policy.issuer")
    if cty is not None:
        issuer_extra["cty"] = cty
    if "cert_transparency" in issuer_raw:
        issuer_extra["cert_transparency"] = _bool(issuer_raw, "cert_transparency", "policy.issuer", False)

    if imported is not None:
        kty, key_size, crv = key_properties(imported.key)
        key = KeyProps(kty, key_size, crv, key.exportable, key.reuse_key)
        from_cert = _from_certificate(imported.leaf)
        subject = subject or from_cert.subject
        sans = sans or from_cert.sans
        ekus = ekus if ekus is not None else from_cert.ekus
        usage_raw = usage_raw if usage_raw is not None else from_cert.key_usage
        validity = validity or from_cert.validity_months
        name = imported.leaf.subject
    else:
        # A platform-managed policy leaves subject and names to the platform (the SDK's live test
        # test_create_certificate_with_platform_managed sends nothing else, and the service accepts it).
        if not (subject and subject.strip()) and not sans and platform_managed is None:
            raise _invalid("policy.x509_props", "A subject or subject alternative names are required.")
        name = x509.Name([])
        if subject and subject.strip():
            try:
                name = parse_subject(subject)
            except SubjectError as exc:
                raise _invalid(
                    "policy.x509_props", f"The subject '{subject}' is not a valid X.500 name: {exc}."
                ) from None
    key_usage = _key_usage(usage_raw)
    validity = 12 if validity is None else validity
    if not 1 <= validity <= 1200:
        raise _invalid("policy.x509_props.validity_months", "1 to 1200 months are supported.")
    return Policy(
        key=key,
        content_type=content_type,
        subject=subject.strip() if subject else None,
        name=name,
        sans=sans,
        ekus=_EKU_DEFAULT if ekus is None else ekus,
        key_usage=key_usage,
        validity_months=validity,
        lifetime_actions=_lifetime_actions(body.get("lifetime_actions"), issuer_name.lower() == "unknown"),
        issuer_name=issuer_name,
        issuer_extra=issuer_extra,
        enabled=_bool(attributes, "enabled", "policy.attributes", True),
        created=now,
        updated=now,
        platform_managed=platform_managed,
    )


def _key_usage(raw: tuple[str, ...] | None) -> tuple[str, ...]:
    if raw is None:
        return _USAGE_DEFAULT
    usages = []
    for usage in raw:
        known = _USAGE_BY_LOWER.get(usage.lower())
        if known is None:
            raise _invalid("policy.x509_props.key_usage", f"Unknown key usage {usage!r}.")
        if known not in usages:
            usages.append(known)
    return tuple(usages)


@dataclasses.dataclass(frozen=True)
class _CertificateFacts:
    subject: str
    sans: dict[str, tuple[str, ...]]
    ekus: tuple[str, ...]
    key_usage: tuple[str, ...]
    validity_months: int


def _from_certificate(certificate: x509.Certificate) -> _CertificateFacts:
    """What an imported certificate says about its own policy."""
    subject = ", ".join(rdn.rfc4514_string() for rdn in reversed(certificate.subject.rdns))
    sans: dict[str, tuple[str, ...]] = {}
    ekus: tuple[str, ...] = ()
    usages: tuple[str, ...] = ()
    for extension in certificate.extensions:
        value = extension.value
        if isinstance(value, x509.SubjectAlternativeName):
            for key, kind in (("dns_names", x509.DNSName), ("emails", x509.RFC822Name)):
                found = tuple(str(item) for item in value.get_values_for_type(kind))
                if found:
                    sans[key] = found
        elif isinstance(value, x509.ExtendedKeyUsage):
            ekus = tuple(oid.dotted_string for oid in value)
        elif isinstance(value, x509.KeyUsage):
            usages = tuple(name for name, attr in KEY_USAGES.items() if _usage_set(value, attr))
    start, end = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    months = max(1, min(1200, round((end - start).days / 30.44)))
    return _CertificateFacts(subject, sans, ekus, usages, months)


def _usage_set(usage: x509.KeyUsage, attr: str) -> bool:
    try:
        return bool(getattr(usage, attr))
    except ValueError:  # encipher_only/decipher_only are undefined without key_agreement
        return False
