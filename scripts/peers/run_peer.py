"""Start a public Key Vault emulator (a *peer*) on loopback, certify it with ``kvconform run``, stop it.

One entry point for every peer:

    python scripts/peers/run_peer.py --peer refvault --out results/refvault
    python scripts/peers/run_peer.py --peer go-emulator --binary PATH --out results/go-emulator
    python scripts/peers/run_peer.py --peer lowkey [--jar PATH] [--java PATH] --out results/lowkey

It starts the peer on 127.0.0.1 with TLS, runs ``kvconform run --target … --report-dir OUT`` with the credential
and CA the peer needs, lists what the run left on the peer (certificates, deleted certificates and issuers whose
names start with ``kvc-``), stops the peer and writes ``OUT/implementation.yaml``: name, version, where it came
from, how it was started, the kvconform command, its exit code, the date and the leftovers. The reports
(summary.json, summary.md, junit.xml, report.html) are kvconform's own, in OUT.

Nothing here builds a peer. ``go-emulator`` starts a binary the user built (docs/peers.md says how) and a JWKS
stand-in of ours (``jwks_standin.py``) that signs the token it validates; ``lowkey`` starts the lowkey-vault-app
jar that Maven fetches from Maven Central into ~/.cache/kvconform/peers (or the ``--jar`` given).
Exit code: kvconform's, or 2 when the peer cannot be had or does not start.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import yaml
from jwks_standin import JwksStandIn

CACHE = Path.home() / ".cache" / "kvconform" / "peers"
LOWKEY_ARTIFACT = "com.github.nagyesta.lowkey-vault:lowkey-vault-app"
LOWKEY_VERSION = "7.3.74"
JAVA_25 = Path("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java")
PORTS = {"refvault": 9611, "go-emulator": 9621, "lowkey": 9631}
REPORTS = ("summary.json", "summary.md", "junit.xml", "report.html")
PREFIX = "kvc-"


class PeerUnavailable(Exception):
    """The peer cannot be had or did not start: exit 2 with this line."""


@dataclass
class Peer:
    """A started peer: what kvconform needs to reach it, and what implementation.yaml records."""

    name: str
    version: str
    source: str
    start_command: list[str]
    url: str
    token: str
    ca_bundle: str | None = None
    notes: list[str] = field(default_factory=list)


def _wait_for_tls(port: int, process: subprocess.Popen[bytes], log: Path, deadline: float = 90.0) -> None:
    """Wait until the peer completes a TLS handshake on 127.0.0.1:port (it may still be warming up before)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise PeerUnavailable(f"the peer exited with {process.returncode} before listening:\n{tail}")
        with contextlib.suppress(OSError):
            with socket.create_connection(("127.0.0.1", port), timeout=2) as raw:
                with context.wrap_socket(raw, server_hostname="127.0.0.1"):
                    return
        time.sleep(0.5)
    raise PeerUnavailable(f"the peer did not answer TLS on 127.0.0.1:{port} within {deadline:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the peer's process group: SIGTERM, then SIGKILL after 15 s."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def _start(command: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=env)


def _printed_ca_bundle(log: Path, deadline: float = 10.0) -> str:
    """The ``CA bundle:`` path that ``kvconform serve --tls`` prints on start."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        for line in log.read_text(errors="replace").splitlines():
            if "CA bundle:" in line:
                return line.split("CA bundle:")[1].split()[0]
        time.sleep(0.2)
    raise PeerUnavailable("kvconform serve --tls printed no CA bundle line")


@contextlib.contextmanager
def refvault(port: int, work: Path) -> Iterator[Peer]:
    """The reference vault as a separate server: ``kvconform serve --tls`` with its default timings."""
    from conformance import __version__

    command = [sys.executable, "-m", "conformance", "serve", "--tls", "--host", "127.0.0.1", "--port", str(port)]
    log = work / "refvault.log"
    process = _start(command, log, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        _wait_for_tls(port, process, log)
        ca = _printed_ca_bundle(log)
        commit = subprocess.run(
            ["git", "-C", str(Path(__file__).parent), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        yield Peer(
            name="kvconform reference vault",
            version=f"{__version__} (commit {commit})" if commit else __version__,
            source="this repository (conformance/refvault), installed with pip install -e .",
            start_command=command,
            url=f"https://127.0.0.1:{port}",
            token="kvconform-peers",
            ca_bundle=ca,
            notes=["any bearer token is accepted", "the CA bundle is the throw-away CA that serve --tls prints"],
        )
    finally:
        _stop(process)


@contextlib.contextmanager
def go_emulator(port: int, work: Path, binary: Path) -> Iterator[Peer]:
    """calvinchengx/azure-keyvault-emulator, built by the user, with our JWKS stand-in as its identity provider."""
    if not binary.is_file():
        raise PeerUnavailable(f"--binary {binary}: no such file (docs/peers.md says how to build one)")
    standin = JwksStandIn(port + 1).start()
    data_dir = work / "go-emulator-data"
    command = [
        str(binary),
        "--addr",
        f"127.0.0.1:{port}",
        "--data-dir",
        str(data_dir),
        "--entra-issuer",
        standin.issuer,
        "--entra-jwks-url",
        standin.jwks_url,
    ]
    version = subprocess.run([str(binary), "version"], capture_output=True, text=True, timeout=30).stdout.strip()
    log = work / "go-emulator.log"
    process = _start(command, log)
    try:
        _wait_for_tls(port, process, log)
        yield Peer(
            name="calvinchengx/azure-keyvault-emulator",
            version=version.removeprefix("azure-keyvault-emulator").strip() or "unknown",
            source="github.com/calvinchengx/azure-keyvault-emulator, built from source by the user (docs/peers.md)",
            start_command=command,
            url=f"https://127.0.0.1:{port}",
            token=standin.token(),
            ca_bundle=str(data_dir / "tls" / "cert.pem"),
            notes=[
                "identity provider: scripts/peers/jwks_standin.py on 127.0.0.1:"
                f"{port + 1} (RS256 JWKS; the token carries iss {standin.issuer}, aud https://vault.azure.net)",
                "its self-signed TLS certificate (data-dir/tls/cert.pem) is the CA bundle",
            ],
        )
    finally:
        _stop(process)
        standin.stop()


def lowkey_jar(version: str) -> Path:
    """The lowkey-vault-app jar from Maven Central, fetched once with Maven into the cache."""
    jar = CACHE / f"lowkey-vault-app-{version}.jar"
    if jar.is_file():
        return jar
    if shutil.which("mvn") is None:
        raise PeerUnavailable("mvn is not installed: install Maven, or pass --jar PATH")
    CACHE.mkdir(parents=True, exist_ok=True)
    copy = subprocess.run(
        [
            "mvn",
            "-q",
            "-B",
            "-U",
            "org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy",
            f"-Dartifact={LOWKEY_ARTIFACT}:{version}",
            f"-DoutputDirectory={CACHE}",
        ],
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
    )
    if copy.returncode != 0 or not jar.is_file():
        lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in copy.stdout.splitlines()]
        reason = next((line for line in lines if "ERROR" in line), copy.stderr.strip()[:300])
        raise PeerUnavailable(f"Maven could not fetch {LOWKEY_ARTIFACT}:{version}: {reason}")
    return jar


@contextlib.contextmanager
def lowkey(port: int, work: Path, jar: Path | None, java: Path, version: str) -> Iterator[Peer]:
    """nagyesta/lowkey-vault: the Spring Boot jar on 127.0.0.1, its token endpoint on the next port."""
    jar = jar or lowkey_jar(version)
    if not java.is_file():
        raise PeerUnavailable(f"--java {java}: no such file (lowkey-vault needs Java 25)")
    command = [
        str(java),
        "-jar",
        str(jar),
        f"--server.port={port}",
        "--server.address=127.0.0.1",
        f"--app.token.port={port + 1}",
    ]
    log = work / "lowkey.log"
    process = _start(command, log)
    try:
        _wait_for_tls(port, process, log, deadline=180.0)
        yield Peer(
            name="nagyesta/lowkey-vault",
            version=jar.stem.removeprefix("lowkey-vault-app-"),
            source=f"Maven Central {LOWKEY_ARTIFACT} ({jar})",
            start_command=command,
            url=f"https://127.0.0.1:{port}",
            token="kvconform-peers",
            notes=["any bearer token is accepted", "its bundled self-signed TLS certificate: run with --insecure"],
        )
    finally:
        _stop(process)


def _list(peer: Peer, path: str) -> list[str]:
    """Names under a listing of the peer that start with the kvconform prefix (every page)."""
    context = ssl.create_default_context(cafile=peer.ca_bundle) if peer.ca_bundle else ssl._create_unverified_context()
    names: list[str] = []
    url: str | None = f"{peer.url}{path}"
    while url:
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {peer.token}"})
        with urllib.request.urlopen(request, context=context, timeout=30) as response:
            page = json.load(response)
        for item in page.get("value", []):
            name = str(item.get("id", "")).rstrip("/").split("/")[-1]
            if name.startswith(PREFIX):
                names.append(name)
        link = page.get("nextLink")
        url = link if link and link.startswith(peer.url) else None
    return names


def leftovers(peer: Peer, api_version: str = "7.6") -> dict[str, list[str] | str]:
    """What a run left on the peer: kvc- certificates (pending ones too), deleted certificates, issuers, and the
    keys and secrets a certificate brings with it (deleted ones too) where the peer serves those listings."""
    found: dict[str, list[str] | str] = {}
    query = f"?api-version={api_version}"
    for kind, path in (
        ("certificates", f"/certificates{query}&includePending=true"),
        ("deleted_certificates", f"/deletedcertificates{query}&includePending=true"),
        ("issuers", f"/certificates/issuers{query}"),
        ("keys", f"/keys{query}"),
        ("deleted_keys", f"/deletedkeys{query}"),
        ("secrets", f"/secrets{query}"),
        ("deleted_secrets", f"/deletedsecrets{query}"),
    ):
        try:
            found[kind] = _list(peer, path)
        except urllib.error.HTTPError as exc:
            exc.close()
            found[kind] = f"not listed: HTTP {exc.code}" + (" (not served by this peer)" if exc.code == 501 else "")
        except (OSError, ValueError) as exc:
            found[kind] = f"could not be listed: {exc}"
    return found


def kvconform_command(peer: Peer, out: Path, extra: list[str]) -> list[str]:
    command = [sys.executable, "-m", "conformance", "run", "--target", peer.url, "--report-dir", str(out)]
    command += ["--ca-bundle", peer.ca_bundle] if peer.ca_bundle else ["--insecure"]
    return [*command, "--no-allure", *extra]


def _shell(command: list[str], tmp: str) -> str:
    """A command as one shell line, with the run's temporary directory and this interpreter named, not spelled."""
    line = shlex.join(["python" if part == sys.executable else part for part in command])
    line = line.replace(tmp, "$TMPDIR").replace(tempfile.gettempdir() + "/kvconform-tls-", "$TMPDIR/kvconform-tls-")
    return line.replace(str(Path.home()), "~")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer", required=True, choices=sorted(PORTS))
    parser.add_argument("--out", required=True, type=Path, help="report directory, e.g. results/<peer>")
    parser.add_argument("--port", type=int, help="port on 127.0.0.1 (the next one too: identity/token endpoint)")
    parser.add_argument("--binary", type=Path, help="go-emulator: the azure-keyvault-emulator binary you built")
    parser.add_argument("--jar", type=Path, help="lowkey: a lowkey-vault-app jar (default: fetched with Maven)")
    parser.add_argument("--lowkey-version", default=LOWKEY_VERSION, help="lowkey: version to fetch (%(default)s)")
    parser.add_argument("--java", type=Path, default=JAVA_25, help="lowkey: a Java 25 (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="seed of kvconform's fuzz phase (default: %(default)s)")
    parser.add_argument("kvconform_args", nargs="*", help="more kvconform run options, after --")
    args = parser.parse_args(argv)
    if args.peer == "go-emulator" and args.binary is None:
        parser.error("--peer go-emulator needs --binary PATH (docs/peers.md says how to build one)")
    port = args.port or PORTS[args.peer]
    with tempfile.TemporaryDirectory(prefix="kvconform-peer-") as tmp:
        work = Path(tmp)
        starters = {
            "refvault": lambda: refvault(port, work),
            "go-emulator": lambda: go_emulator(port, work, args.binary),
            "lowkey": lambda: lowkey(port, work, args.jar, args.java, args.lowkey_version),
        }
        try:
            with starters[args.peer]() as peer:
                args.out.mkdir(parents=True, exist_ok=True)
                command = kvconform_command(peer, args.out, ["--seed", str(args.seed), *args.kvconform_args])
                print(f"{peer.name} {peer.version} at {peer.url}; running: {' '.join(command)}", flush=True)
                started = datetime.datetime.now(datetime.UTC)
                code = subprocess.run(command, env={**os.environ, "KVCONFORM_TOKEN": peer.token}).returncode
                left = leftovers(peer)
        except PeerUnavailable as exc:
            print(f"run_peer: {exc}", file=sys.stderr)
            return 2
    record = {
        "name": peer.name,
        "version": peer.version,
        "source": peer.source,
        "started_with": _shell(peer.start_command, tmp),
        "notes": peer.notes,
        "kvconform_command": _shell(["kvconform", *command[3:]], tmp),
        "kvconform_exit_code": code,
        "date": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "leftovers_after_run": left,
    }
    (args.out / "implementation.yaml").write_text(yaml.safe_dump(record, sort_keys=False, width=120))
    print(f"wrote {args.out / 'implementation.yaml'} (kvconform exit {code}; leftovers: {left})")
    return code


if __name__ == "__main__":
    sys.exit(main())
