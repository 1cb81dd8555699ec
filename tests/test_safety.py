"""Do no harm on real vaults: untouched foreign objects, clean interrupts, no leaked token, transient trouble is
not non-conformance. Full runs go through a ``kvconform`` subprocess against a reference vault served here, so that
the vault can be inspected afterwards (and, for the interrupt, a signal can be sent)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from kvconform_vault import VaultSettings, running_vault
from starlette.types import ASGIApp

from conformance._auth import StaticTokenAuth
from conformance._client import VaultClient

TOKEN = "tok-SAFETY-" + "f00dfeed" * 4  # distinctive, so that a grep finds any leak
FAST = {"issuance_delay": 0.2, "cancel_delay": 0.2, "failure_delay": 0.1, "token": TOKEN}


def _kvconform(*args: str, report_dir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "conformance",
        "run",
        *args,
        "--report-dir",
        str(report_dir),
        "--poll-interval",
        "0.1",
    ]


def _env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("KVCONFORM_")}
    env["KVCONFORM_TOKEN"] = TOKEN
    return env


def _run(*args: str, report_dir: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _kvconform(*args, report_dir=report_dir), env=_env(), capture_output=True, text=True, timeout=timeout
    )


def _inventory(url: str) -> set[str]:
    """Every certificate (pending, current, deleted) and issuer in the vault, as ``kind name``."""
    names: set[str] = set()
    with VaultClient(url, api_version="7.6", auth=StaticTokenAuth(TOKEN)) as client:
        for kind, path, params in [
            ("certificate", "/certificates", {"includePending": "true", "maxresults": "25"}),
            ("deleted", "/deletedcertificates", {"includePending": "true", "maxresults": "25"}),
            ("issuer", "/certificates/issuers", {"maxresults": "25"}),
        ]:
            answer = client.request("GET", path, params=params)
            while True:
                assert answer.status == 200, answer.response_text
                names |= {
                    f"{kind} {httpx.URL(i['id']).path.rstrip('/').rsplit('/', 1)[-1]}" for i in answer.json["value"]
                }
                if not answer.json.get("nextLink"):
                    break
                answer = client.request("GET", answer.json["nextLink"])
    return names


def _kvc(names: set[str]) -> set[str]:
    return {name for name in names if name.split(" ", 1)[1].lower().startswith("kvc-")}


def _assert_no_token(result: subprocess.CompletedProcess[str], report_dir: Path) -> None:
    assert TOKEN not in result.stdout and TOKEN not in result.stderr
    files = [path for path in report_dir.rglob("*") if path.is_file()]
    assert {"summary.json", "summary.md", "report.html", "junit.xml"} <= {path.name for path in files}
    assert any(path.parent.name == "allure-results" for path in files)
    leaked = [str(path) for path in files if TOKEN in path.read_text(encoding="utf-8", errors="replace")]
    assert leaked == []
    pwd = re.compile(r"pwd[\"']?\s*[:=]\s*[\"']?(?!\*\*\*)[^\"'\s,}]+")  # an issuer's password, unmasked
    assert [str(path) for path in files if pwd.search(path.read_text(encoding="utf-8", errors="replace"))] == []


def _summary(report_dir: Path) -> dict[str, Any]:
    return json.loads((report_dir / "summary.json").read_text())  # type: ignore[no-any-return]


@pytest.fixture
def production() -> Iterator[str]:
    """A reference vault already holding someone's certificate, soft-deleted certificate and issuer."""
    with (
        running_vault(VaultSettings(**FAST)) as url,
        VaultClient(url, api_version="7.6", auth=StaticTokenAuth(TOKEN)) as c,
    ):
        for name in ("prod-web", "prod-old"):
            body = {"policy": {"issuer": {"name": "Self"}, "x509_props": {"subject": f"CN={name}"}}}
            assert c.request("POST", f"/certificates/{name}/create", json_body=body).status == 202
        time.sleep(0.3)
        assert c.request("DELETE", "/certificates/prod-old").status == 200
        body = {"provider": "Test", "credentials": {"account_id": "a", "pwd": "issuer-pwd-1234"}}
        assert c.request("PUT", "/certificates/issuers/prod-digicert", json_body=body).status == 200
        yield url


PRODUCTION = {"certificate prod-web", "deleted prod-old", "issuer prod-digicert"}


def test_a_full_run_leaves_other_objects_untouched_and_never_writes_the_token(production: str, tmp_path: Path) -> None:
    before = _inventory(production)
    assert before == PRODUCTION
    with VaultClient(production, api_version="7.6", auth=StaticTokenAuth(TOKEN)) as client:
        web = client.request("GET", "/certificates/prod-web")
    result = _run("--target", production, "--fuzz-examples", "3", "--seed", "1", report_dir=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _summary(tmp_path)["fuzz"] is not None
    assert _inventory(production) == PRODUCTION, "only the run's prefixed objects may be written or removed"
    with VaultClient(production, api_version="7.6", auth=StaticTokenAuth(TOKEN)) as client:
        assert client.request("GET", "/certificates/prod-web").json == web.json
    _assert_no_token(result, tmp_path)


@pytest.mark.parametrize(
    ("signum", "code", "workers", "group"),
    [
        (signal.SIGINT, 130, "1", False),
        (signal.SIGTERM, 3, "1", False),
        (signal.SIGINT, 130, "2", True),  # Ctrl-C in a terminal reaches the whole process group, workers too
        (signal.SIGTERM, 3, "2", False),  # `kill` or a CI runner: the main process only
        (signal.SIGINT, 130, None, True),  # the default against a target: parallel, a worker per waiting test
        (signal.SIGTERM, 3, None, False),
    ],
    ids=["sigint", "sigterm", "n2-sigint-to-the-group", "n2-sigterm", "default-sigint-to-the-group", "default-sigterm"],
)
def test_an_interrupted_run_cleans_up_and_writes_partial_reports(
    tmp_path: Path, signum: int, code: int, workers: str | None, group: bool
) -> None:
    # Operations that stay inProgress for a while, so that the signal finds the run's objects in the vault.
    settings = VaultSettings(issuance_delay=3.0, cancel_delay=3.0, failure_delay=3.0, token=TOKEN)
    with running_vault(settings) as url:
        process = subprocess.Popen(
            _kvconform("--target", url, "--no-fuzz", *(["-n", workers] if workers else []), report_dir=tmp_path),
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group, to signal it as a terminal does and to find orphans
        )
        try:
            deadline = time.monotonic() + 30
            while not _kvc(_inventory(url)):
                assert process.poll() is None and time.monotonic() < deadline, "the run created nothing"
                time.sleep(0.05)
            stdout, stderr = _interrupt(process, signum, group=group, timeout=60)
        finally:
            _kill_leftover(process)
        assert process.returncode == code, stdout + stderr
        assert _kvc(_inventory(url)) == set(), "the interrupted run left objects behind"
    assert not _group_alive(process.pid), "a pytest-xdist worker outlived the run"
    assert "Traceback" not in stderr
    assert "interrupted" in stdout
    summary = _summary(tmp_path)
    assert (summary["outcome"], summary["interrupted"]) == ("error", True)


def _interrupt(process: subprocess.Popen[str], signum: int, *, group: bool, timeout: float) -> tuple[str, str]:
    """Send ``signum`` as a terminal does (the whole process group) or as ``kill`` does (the main process only), and
    wait for the run to end: its stdout and stderr."""
    if group:
        os.killpg(process.pid, signum)
    else:
        process.send_signal(signum)
    return process.communicate(timeout=timeout)


def _kill_leftover(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)


def _group_alive(pgid: int) -> bool:
    deadline = time.monotonic() + 5  # a worker may take a moment to exit after the run has
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.1)
    return True


class Misbehaving:
    """An ASGI wrapper around the reference vault that throttles or drops some requests."""

    def __init__(self, *, throttle_every: int = 0, drop: tuple[str, ...] = ()) -> None:
        self.settings = VaultSettings(**FAST)
        self.app: Any = None  # the reference vault's app, once ``wrap`` is given it
        self.throttle_every = throttle_every
        self.drop = drop
        self.requests = 0
        self.misbehaved = 0

    def wrap(self, app: ASGIApp) -> ASGIApp:
        """The ``wrap=`` of ``running_vault``: misbehave in front of the vault's ``app``."""
        self.app = app
        return self

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        self.requests += 1
        if self.throttle_every and self.requests % self.throttle_every == 0:
            self.misbehaved += 1
            status = 429 if self.misbehaved % 2 else 503
            code = b"Throttled" if status == 429 else b"ServiceUnavailable"
            body = b'{"error": {"code": "' + code + b'", "message": "Try again later"}}'
            headers = [(b"content-type", b"application/json; charset=utf-8"), (b"retry-after", b"0")]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            return await send({"type": "http.response.body", "body": body})
        if any(part in scope["path"] for part in self.drop):
            self.misbehaved += 1
            # Promise a body, then hang up: the client sees the connection dropped mid-answer.
            await send({"type": "http.response.start", "status": 202, "headers": [(b"content-length", b"100")]})
            return await send({"type": "http.response.body", "body": b'{"status"', "more_body": True})
        return await self.app(scope, receive, send)


def test_a_target_throttling_some_requests_still_passes(tmp_path: Path) -> None:
    target = Misbehaving(throttle_every=4)
    with running_vault(target.settings, wrap=target.wrap) as url:
        result = _run("--target", url, "--no-fuzz", report_dir=tmp_path)
    assert target.misbehaved > 10
    assert result.returncode == 0, result.stdout + result.stderr
    summary = _summary(tmp_path)
    assert summary["outcome"] == "pass"
    _assert_no_token(result, tmp_path)


def test_throttled_fuzz_requests_are_not_findings(tmp_path: Path) -> None:
    target = Misbehaving(throttle_every=4)
    with running_vault(target.settings, wrap=target.wrap) as url:
        result = _run("--target", url, "--only", "FUZZ", "--fuzz-examples", "2", "--seed", "7", report_dir=tmp_path)
    assert target.misbehaved > 5
    assert result.returncode == 0, result.stdout + result.stderr
    summary = _summary(tmp_path)
    assert summary["outcome"] == "pass" and summary["fuzz"]["findings"] == []
    _assert_no_token(result, tmp_path)


def test_a_target_dropping_connections_is_an_error_never_a_failure(tmp_path: Path) -> None:
    target = Misbehaving(drop=("/create", "/certificates/issuers/"))  # creates, and issuer PUTs carrying a pwd
    with running_vault(target.settings, wrap=target.wrap) as url:
        result = _run("--target", url, "--no-fuzz", report_dir=tmp_path)
    assert target.misbehaved > 5
    assert result.returncode == 3, result.stdout + result.stderr
    summary = _summary(tmp_path)
    assert summary["outcome"] == "error"
    statuses = [s["status"] for s in summary["scenarios"].values()] if isinstance(summary["scenarios"], dict) else []
    assert "fail" not in statuses and "error" in statuses
    junit = (tmp_path / "junit.xml").read_text()
    assert "TargetUnreachable" in junit and "<error" in junit and "<failure" not in junit
    _assert_no_token(result, tmp_path)


def test_a_self_signed_target_without_ca_bundle_is_one_line_with_the_hint(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from kvconform_vault import localhost_tls as write_localhost_tls

    files = write_localhost_tls(tmp_path)
    with running_vault(
        VaultSettings(**FAST), ssl_certfile=str(files.cert_file), ssl_keyfile=str(files.key_file)
    ) as url:
        result = cli("run", "--target", url, "--token", TOKEN, "--no-fuzz", "--report-dir", str(tmp_path / "r"))
    assert result.code == 3
    assert result.stderr.startswith("kvconform: TargetUnreachable: cannot reach the target")
    assert "--ca-bundle" in result.stderr and "CERTIFICATE_VERIFY_FAILED" in result.stderr
    assert result.stderr.count("\n") == 1 and TOKEN not in result.stderr


def test_failure_text_in_python_repr_is_redacted() -> None:
    from conformance._redact import redact_text

    text = "json_body = {'credentials': {'account_id': 'a', 'pwd': 'hunter2-pass'}}, Authorization: Bearer abc.def"
    redacted = redact_text(text, [TOKEN])
    assert "hunter2-pass" not in redacted and "abc.def" not in redacted and "'pwd': '***'" in redacted


# -- the client phase beside the scenarios (a parallel run): interrupted, it leaves no object and no process --------


def _kvc_found(url: str, ca: str) -> list[str]:
    """Every object of any kvconform run (``kvc-…``) in the https vault at ``url``, by the sweep's own listing."""
    from conformance._config import TargetConfig
    from conformance._sweep import sweep

    config = TargetConfig(target=url, ca_bundle=ca, token=TOKEN, prefix="kvc-")
    listed = sweep(config, StaticTokenAuth(TOKEN), dry_run=True)
    assert listed.leftovers == []
    return listed.found


def _processes_carrying(text: str) -> list[int]:
    """The live processes whose environment carries ``text`` (each client's program gets its name prefix there)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _sdk_slowed(app: Any) -> Any:
    """The vault answering the SDKs half a second late: their flows then outlast the start of the scenarios."""

    async def slowed(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and b"azsdk-" in dict(scope["headers"]).get(b"user-agent", b""):
            await asyncio.sleep(0.5)
        await app(scope, receive, send)

    return slowed


def _built_clients() -> list[str]:
    """The SDKs this machine can drive offline: Python (installed with the test extra) and each one in the cache."""
    from conformance.clients import _go, _java, _js
    from conformance.clients._script import ClientUnavailable

    built = ["python"]
    for client, module in (("js", _js), ("java", _java), ("go", _go)):
        try:
            module.prepare(offline=True)
        except ClientUnavailable:
            continue
        built.append(client)
    return built


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="finds the client programs in /proc")
@pytest.mark.parametrize(
    ("signum", "code", "group"),
    [(signal.SIGINT, 130, True), (signal.SIGTERM, 3, False)],
    ids=["sigint-to-the-group", "sigterm"],
)
def test_an_interrupted_parallel_run_stops_its_clients_and_leaves_nothing(
    tmp_path: Path, signum: int, code: int, group: bool
) -> None:
    from kvconform_vault import localhost_tls

    clients = _built_clients()
    if len(clients) == 1:
        pytest.skip("no client program (JS, Java, Go) is built in the cache here")
    (tmp_path / "tls").mkdir()
    tls = localhost_tls(tmp_path / "tls")
    settings = VaultSettings(issuance_delay=3.0, cancel_delay=3.0, failure_delay=3.0, token=TOKEN)
    env = {**_env(), **{k: v for k, v in os.environ.items() if k == "KVCONFORM_CACHE_DIR"}}
    with running_vault(
        settings, ssl_certfile=str(tls.cert_file), ssl_keyfile=str(tls.key_file), wrap=_sdk_slowed
    ) as url:
        command = _kvconform(
            *("--target", url, "--ca-bundle", str(tls.ca_file), "--no-fuzz", "-n", "2", "--offline"),
            *("--clients", ",".join(clients)),
            report_dir=tmp_path / "reports",
        )
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        try:
            # The signal lands while the scenarios and the Python client have objects in the vault and every
            # client program runs: the phases overlap.
            deadline = time.monotonic() + 120
            prefix = ""
            while True:
                names = [item.split(" ")[-1] for item in _kvc_found(url, str(tls.ca_file))]
                prefix = names[0][: len("kvc-00000000-")] if names else ""
                programs = [client for client in clients[1:] if prefix and _processes_carrying(f"={prefix}{client}-")]
                scenario = any(not name[len(prefix) :].startswith(("py-", "js-", "java-", "go-")) for name in names)
                if scenario and any(f"{prefix}py-" in name for name in names) and programs == clients[1:]:
                    break
                assert process.poll() is None and time.monotonic() < deadline, "the phases never overlapped"
                time.sleep(0.1)
            stdout, stderr = _interrupt(process, signum, group=group, timeout=120)
        finally:
            _kill_leftover(process)
        assert process.returncode == code, stdout + stderr
        assert _kvc_found(url, str(tls.ca_file)) == [], "the interrupted run left objects behind"
    deadline = time.monotonic() + 5  # a killed program may take a moment to be gone
    while _processes_carrying(prefix) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_carrying(prefix) == [], "a client program outlived the run"
    assert not _group_alive(process.pid), "a pytest-xdist worker outlived the run"
    assert "Traceback" not in stderr
    assert "interrupted" in stdout
    summary = _summary(tmp_path / "reports")
    assert (summary["outcome"], summary["interrupted"]) == ("error", True)
