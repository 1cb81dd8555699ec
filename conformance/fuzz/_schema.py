"""The contract as schemathesis runs it against one target: settings, credentials and the hooks that confine it.

The settings are one dict in the shape of a ``schemathesis.toml`` (:func:`settings`), so that what the fuzz phase
does can be read in one place, and replayed with the schemathesis CLI (``st run --config-file``). Nothing is read
from a ``schemathesis.toml`` of the working directory: a user's file must not change a certification.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .._auth import TokenProvider
from .._config import TargetConfig
from .._contract import contract_path
from ._checks import DROPPED, KEPT, keep_failure
from ._names import confine_request

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy
    from schemathesis import Case, HookContext
    from schemathesis.specs.openapi.schemas import OpenApiSchema

__all__ = ["FuzzOptions", "confined", "load_schema", "settings"]

# Operations whose body may name an issuer object (policy.issuer.name).
_REFERENCES_ISSUER = frozenset({"createCertificate", "importCertificate"})


@dataclasses.dataclass(frozen=True, kw_only=True)
class FuzzOptions:
    """How much to fuzz.

    ``examples`` is schemathesis' ``max-examples``: generated requests per operation in the stateless phase, and
    state-machine runs (each up to ``max_steps`` linked requests) in the stateful phase. ``seed`` makes a run
    reproducible (None: a fresh one, recorded in the result). ``max_time`` stops the phase, findings kept, when a
    slow target would make it run on; None allows two seconds per generated request, ten minutes at least.
    """

    examples: int = 15
    seed: int | None = None
    max_steps: int = 6
    max_time: float | None = None

    def time_limit(self, operations: int) -> float:
        return self.max_time if self.max_time is not None else max(600.0, 2.0 * self.examples * operations)


def settings(config: TargetConfig, options: FuzzOptions, *, seed: int) -> dict[str, Any]:
    """The schemathesis settings of a fuzz run against ``config.target`` (the ``schemathesis.toml`` shape)."""
    generation = {
        # Positive and negative data, pinned: a default that changes must not change a certification.
        "mode": "all",
        "max-examples": options.examples,
        # The failing request itself is the evidence: shrinking would send many more requests to the target.
        "no-shrink": True,
        # No example database: a seed alone reproduces a run, and nothing is written to the working directory.
        "database": "none",
    }
    checks: dict[str, Any] = {name: {"enabled": True} for name in KEPT}
    checks.update({name: {"enabled": False} for name in DROPPED})
    if config.auth == "none":
        # The target takes no credentials (--auth none): there is no authentication to find ignored.
        checks["ignored_auth"] = {"enabled": False}
    no_recycling = {"extra-data-sources": {"responses": False}}
    return {
        "seed": seed,
        # Hypothesis' too_slow health check is about how fast data is generated here, not about the vault: on a
        # loaded machine (CI under coverage) it can stop an operation's fuzzing, and what that would find goes unseen.
        "suppress-health-check": ["too_slow"],
        "base-url": config.target,
        "tls-verify": config.verify,
        "request-timeout": config.request_timeout,
        "workers": 1,  # one request at a time: gentle on a real vault, and a seed replays the same order
        # api-version is a required query parameter: generated values are unknown versions, answered 400 before
        # anything else is looked at (facts: Errors). Every request carries the target's configured version.
        "parameters": {"query.api-version": config.api_version},
        "generation": generation,
        "checks": checks,
        "phases": {
            # The contract's only request examples are api-versions, which are pinned.
            "examples": {"enabled": False},
            # Coverage enumerates every boundary and negation of every body member whatever --fuzz-examples says:
            # about 1,300 requests, 470 of them certificate creates (a key generation each on a real vault). Too
            # many writes for a real vault, and not bounded by the flag.
            "coverage": {"enabled": False},
            # Values seen in responses (names listed by GET /certificates) are never reused: they may be foreign.
            "fuzzing": {"enabled": True, **no_recycling},
            "stateful": {
                "enabled": True,
                "max-steps": options.max_steps,
                # Only the contract's own links (create -> get/patch/delete pending -> merge -> get certificate);
                # inferred ones could be fed with names a list returned.
                "inference": {"algorithms": []},
            },
        },
        "cache": {"enabled": False},
    }


def load_schema(config: TargetConfig, options: FuzzOptions, *, seed: int, auth: TokenProvider) -> OpenApiSchema:
    """The contract loaded by schemathesis with :func:`settings`, our credentials and the failure filter."""
    import schemathesis
    from schemathesis.config import SchemathesisConfig

    schema = schemathesis.openapi.from_path(
        contract_path(), config=SchemathesisConfig.from_dict(settings(config, options, seed=seed))
    )

    class _Credentials:
        """The run's token, asked for on each request (an azure-identity token renews itself)."""

        def get(self, case: Case[Any], context: schemathesis.AuthContext) -> str | None:
            return auth.authorization()

        def set(self, case: Case[Any], data: str, context: schemathesis.AuthContext) -> None:
            case.headers["Authorization"] = data

    schema.auth(refresh_interval=None)(_Credentials)
    schema.hooks.register_hook_with_name(keep_failure, "filter_failure")
    schema.hooks.register_hook_with_name(_viable_creates, "before_generate_body")
    return schema


def _viable_creates(context: HookContext, strategy: SearchStrategy[Any]) -> SearchStrategy[Any]:
    """Half of the generated create bodies get a policy the vault can issue; the rest stay as generated.

    A random policy is almost never one a vault accepts (the subject must be an X.500 name, key usages, EKUs and
    content types must be known ones, the issuer must exist), so without help no create succeeds, and the state
    machine never gets past the first step of the contract's links. The steered bodies keep their other members
    (attributes, tags) and get ``{"x509_props": {"subject": "CN=kvconform-fuzz"}, "issuer": {"name": …}}`` with
    issuer ``Unknown`` (an operation that stays inProgress: patch, delete, merge) or ``Self`` (one that completes).
    """
    from hypothesis import strategies as st

    operation = context.operation
    if operation is None or operation.definition.raw.get("operationId") != "createCertificate":
        return strategy
    issuers = st.sampled_from(["Unknown", "Self"])
    return st.one_of(strategy, strategy.flatmap(lambda body: issuers.map(lambda issuer: _viable(body, issuer))))


def _viable(body: Any, issuer: str) -> dict[str, Any]:
    kept = {key: value for key, value in body.items() if key != "policy"} if isinstance(body, dict) else {}
    return {**kept, "policy": {"x509_props": {"subject": "CN=kvconform-fuzz"}, "issuer": {"name": issuer}}}


@contextlib.contextmanager
def confined(schema: OpenApiSchema, prefix: str) -> Iterator[None]:
    """Confine every request sent for ``schema`` to ``prefix`` while the block runs (see ``_names``).

    schemathesis runs ``before_call`` hooks only from its global registry; this one is registered for the block
    and acts on this schema's requests only, whatever phase or check (a probe without auth is a copy of a confined
    request) produced them.
    """
    from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER

    if not prefix:
        raise ValueError("fuzzing needs a run prefix: it confines every name it generates to it")

    def before_call(context: HookContext, case: Case[Any], kwargs: dict[str, Any]) -> None:
        operation = context.operation
        if operation is None or operation.schema is not schema:
            return
        references_issuer = operation.definition.raw.get("operationId") in _REFERENCES_ISSUER
        confine_request(case.path_parameters, case.body, prefix, references_issuer=references_issuer)

    GLOBAL_HOOK_DISPATCHER.register_hook_with_name(before_call, "before_call")
    try:
        yield
    finally:
        GLOBAL_HOOK_DISPATCHER.unregister(before_call)
