"""Run the official Python SDK's certificate samples, unmodified, against ``kvconform serve --tls``.

The samples ship in the azure-keyvault-certificates sdist on PyPI (``samples/*.py``); this script downloads it once
into the kvconform cache (``pip download --no-binary``), starts the reference vault with a throw-away CA, and runs
each sample as its README says (``python sample.py`` with ``VAULT_URL`` set). The only stand-in is the credential:
the samples build ``DefaultAzureCredential()``; ``AZURE_TOKEN_CREDENTIALS=AzureCliCredential`` makes it use the
Azure CLI only, and a fake ``az`` on the ``PATH`` prints a fixed token. The CA reaches the SDK through
``SSL_CERT_FILE`` (aiohttp) and ``REQUESTS_CA_BUNDLE`` (requests). ``import_certificate`` also reads
``PFX_CERT_PATH`` and ``PEM_CERT_PATH``: throw-away files are written for it.

Usage: ``python scripts/run_sdk_samples.py [--only NAME ...] [--sync-only] [--samples-dir DIR] [--vault-url URL
--ca-file F]``. Prints one line per sample (``pass``/``FAIL`` and the seconds it took), then ``N passed, N failed``;
exits 0 when every sample passed, 1 otherwise, 2 when the samples or the vault cannot be had.

The JS SDK's samples are not in the @azure/keyvault-certificates npm package (``npm pack --dry-run`` lists no
``samples/``); they live only in the SDK's source repository. ``--js --samples-dir DIR`` runs the ``*.js`` samples
you put in DIR (the SDK's ``samples/v4/javascript`` folder), each as ``node sample.js`` with ``KEYVAULT_URI`` set:
the packages they require are installed once with npm into the cache (``NODE_PATH``), the fake ``az`` is the
credential (their ``DefaultAzureCredential`` ends at the Azure CLI), ``NODE_EXTRA_CA_CERTS`` trusts the vault's CA,
``ca.key``/``ca.crt`` (the merge sample's "fake certificate authority") are written beside them, and the import
sample's ``sample.env`` variables ``SAMPLE_PFX_BASE_64``/``SAMPLE_PEM`` hold a throw-away certificate. A helper
module the samples require (``./utils.js``) is copied with them but not run as a sample. The JS SDK
accepts the vault's challenge only under a dotted host name (README, "Mock vault"): the vault is served as
``kv.localhost`` with a certificate for that name; where that name does not resolve, a ``--require`` preload maps
``*.localhost`` to 127.0.0.1 in node, as RFC 6761 has it.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime
import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

SDK = "azure-keyvault-certificates"
VERSION = "4.12.0"
JS_PACKAGES = ("@azure/keyvault-certificates", "@azure/keyvault-secrets", "@azure/identity", "@azure/logger", "dotenv")
JS_HOST = "kv.localhost"
_LOCALHOST_PRELOAD = """// kvconform: *.localhost names resolve to the loopback address (RFC 6761), as browsers do.
const dns = require("node:dns");
const lookup = dns.lookup;
dns.lookup = function (hostname, options, callback) {
  if (typeof hostname === "string" && hostname.endsWith(".localhost")) {
    const cb = typeof options === "function" ? options : callback;
    const all = typeof options === "object" && options !== null && options.all;
    return process.nextTick(() => (all ? cb(null, [{ address: "127.0.0.1", family: 4 }]) : cb(null, "127.0.0.1", 4)));
  }
  return lookup.apply(this, arguments);
};
"""
_FAKE_AZ = """#!{python}
import json, sys, time
# A stand-in for `az account get-access-token --output json --resource R`: a fixed token for one hour.
expires = int(time.time()) + 3600
print(json.dumps({{"accessToken": "kvconform-sample-token", "expires_on": expires, "tokenType": "Bearer",
                  "expiresOn": time.strftime("%Y-%m-%d %H:%M:%S.000000", time.localtime(expires))}}))
"""


def cache_dir() -> Path:
    if os.environ.get("KVCONFORM_CACHE_DIR"):
        return Path(os.environ["KVCONFORM_CACHE_DIR"])
    base = Path(os.environ["XDG_CACHE_HOME"]) if os.environ.get("XDG_CACHE_HOME") else Path.home() / ".cache"
    return base / "kvconform"


def fetch_samples(version: str = VERSION) -> Path:
    """The samples folder of the SDK's sdist, downloaded with pip once into the cache."""
    target = cache_dir() / f"py-samples-{version}"
    if (target / "samples").is_dir():
        return target / "samples"
    with tempfile.TemporaryDirectory() as download:
        command = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:"]
        subprocess.run([*command, f"{SDK}=={version}", "-d", download], check=True, capture_output=True)
        archive = next(Path(download).glob("*.tar.gz"))
        staging = Path(tempfile.mkdtemp(dir=target.parent if target.parent.exists() else None))
        with tarfile.open(archive) as tar:
            members = [m for m in tar.getmembers() if "/samples/" in m.name and m.isfile()]
            tar.extractall(staging, members=members, filter="data")
        (target / "samples").parent.mkdir(parents=True, exist_ok=True)
        next(staging.glob("*/samples")).rename(target / "samples")
    return target / "samples"


def _write_certificates(directory: Path) -> dict[str, str]:
    """A PFX and a PEM (certificate + PKCS#8 key) for import_certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    files = {}
    for label in ("pfx", "pem"):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"sample-{label}")])
        now = datetime.datetime.now(datetime.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .sign(key, hashes.SHA256())
        )
        path = directory / f"sample.{label}"
        if label == "pfx":
            data = pkcs12.serialize_key_and_certificates(b"s", key, certificate, None, serialization.NoEncryption())
        else:
            data = certificate.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        path.write_bytes(data)
        files[f"{label.upper()}_CERT_PATH"] = str(path)
    return files


@contextlib.contextmanager
def serve_vault(tls: list[str] | None = None, ca_file: str | None = None) -> Iterator[tuple[str, str]]:
    """``kvconform serve --tls --port 0`` (or ``tls`` options instead of ``--tls``, whose CA is ``ca_file``) in a
    child process; yields its URL and CA file."""
    command = [sys.executable, "-m", "conformance", "serve", *(tls or ["--tls"]), "--port", "0"]
    command += ["--issuance-delay", "0.5"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = None
        for line in process.stdout:
            found = re.match(r"\s*(URL|CA bundle):\s+(\S+)", line)
            if found and found.group(1) == "URL":
                url = found.group(2)
            elif found:
                ca_file = found.group(2)
            if line.strip().startswith("credential:"):
                break
        if url is None or ca_file is None:
            raise RuntimeError(f"kvconform serve did not start: {process.stderr.read() if process.stderr else ''}")
        yield url, ca_file
    finally:
        process.terminate()
        try:
            process.communicate(timeout=10)  # also closes the pipes
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def run_samples(
    samples: list[Path], url: str, ca_file: str, *, timeout: float = 180.0, js: bool = False
) -> list[tuple[str, bool, float, str]]:
    """Run each sample (``python`` or, with ``js``, ``node``); returns ``(name, passed, seconds, last lines)``."""
    results = []
    with tempfile.TemporaryDirectory(prefix="kvconform-samples-") as work:
        bin_dir = Path(work) / "bin"
        bin_dir.mkdir()
        az = bin_dir / "az"
        az.write_text(_FAKE_AZ.format(python=sys.executable))
        az.chmod(0o755)
        env = {
            **os.environ,
            "VAULT_URL": url,
            "SSL_CERT_FILE": ca_file,
            "REQUESTS_CA_BUNDLE": ca_file,
            "AZURE_TOKEN_CREDENTIALS": "AzureCliCredential",
            "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            **_write_certificates(Path(work)),
        }
        cwd = Path(work)
        if js:
            env.update(_js_environment(Path(work), url, ca_file))
            env.update(_js_certificate_variables(env["PFX_CERT_PATH"], env["PEM_CERT_PATH"]))
            cwd = _js_workspace(samples, Path(work))
        for sample in samples:
            command = ["node", sample.name] if js else [sys.executable, str(sample)]
            started = time.monotonic()
            try:
                done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
                passed, output = done.returncode == 0, done.stdout + done.stderr
                # two JS samples catch their error, print "error code: …" and exit 0
                passed = passed and not (js and re.search(r"^error code: ", output, re.MULTILINE))
            except subprocess.TimeoutExpired:
                passed, output = False, f"timed out after {timeout:g} s"
            results.append((sample.stem, passed, time.monotonic() - started, failure_tail(output)))
    return results


def failure_tail(output: str) -> str:
    """The last lines of a sample's output, after the line that names the error when the tail lacks it (node prints
    ``RestError: message`` and then the whole request and response objects)."""
    tail = "\n".join(output.strip().splitlines()[-6:])
    error = re.search(r"^[A-Za-z]*Error\b.*$", output, re.MULTILINE)
    if error and error.group(0) not in tail:
        return f"{error.group(0).strip()}\n...\n{tail}"
    return tail


# -- the JS samples ---------------------------------------------------------------------------------------------


def js_modules() -> Path:
    """A ``node_modules`` with the packages the JS samples require, installed with npm once into the cache."""
    folder = cache_dir() / "js-samples"
    if not (folder / "kvconform-ready").exists():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "package.json").write_text('{"private": true}\n')
        command = ["npm", "install", "--no-audit", "--no-fund", "--silent", *JS_PACKAGES]
        subprocess.run(command, cwd=folder, check=True, capture_output=True)
        (folder / "kvconform-ready").write_text("ok\n")
    return folder / "node_modules"


def _js_environment(work: Path, url: str, ca_file: str) -> dict[str, str]:
    """What node needs: the packages, the vault's CA, the name ``kv.localhost`` on the loopback address."""
    env = {"KEYVAULT_URI": url, "NODE_PATH": str(js_modules()), "NODE_EXTRA_CA_CERTS": ca_file}
    try:
        resolves = socket.gethostbyname(JS_HOST).startswith("127.")
    except OSError:
        resolves = False
    if not resolves:
        preload = work / "localhost-names.js"
        preload.write_text(_LOCALHOST_PRELOAD)
        env["NODE_OPTIONS"] = f"{os.environ.get('NODE_OPTIONS', '')} --require {preload}".strip()
    return env


def _js_certificate_variables(pfx_path: str, pem_path: str) -> dict[str, str]:
    """The importCertificate sample's ``sample.env`` variables: the PFX as base64 text, the PEM (certificate and
    key) as it is."""
    return {
        "SAMPLE_PFX_BASE_64": base64.b64encode(Path(pfx_path).read_bytes()).decode("ascii"),
        "SAMPLE_PEM": Path(pem_path).read_text(),
    }


def js_samples(folder: Path) -> list[Path]:
    """The ``*.js`` samples of ``folder``, without the helper modules they require (``require("./utils.js")``):
    a helper is copied beside the samples but is not a sample to run."""
    scripts = sorted(folder.glob("*.js"))
    required = set()
    for path in scripts:
        for name in re.findall(r"""require\(\s*["']\./([^"']+)["']\s*\)""", path.read_text(errors="replace")):
            required.add(name if name.endswith(".js") else f"{name}.js")
    return [path for path in scripts if path.name not in required]


def _js_workspace(samples: list[Path], work: Path) -> Path:
    """A copy of the samples' folder (the samples write files beside them) with the merge sample's CA files."""
    folder = work / "samples"
    shutil.copytree(samples[0].parent, folder, ignore=shutil.ignore_patterns("node_modules", ".git"))
    from cryptography.hazmat.primitives import serialization

    from conformance._x509 import ThrowawayCA

    ca = ThrowawayCA("kvconform sample CA")
    key = ca.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    (folder / "ca.key").write_bytes(key)
    (folder / "ca.crt").write_bytes(ca.certificate.public_bytes(serialization.Encoding.PEM))
    return folder


@contextlib.contextmanager
def serve_vault_for_node() -> Iterator[tuple[str, str]]:
    """The vault served as ``https://kv.localhost:PORT`` with a certificate for that name."""
    from kvconform_vault import localhost_tls as write_localhost_tls

    with tempfile.TemporaryDirectory(prefix="kvconform-js-tls-") as directory:
        files = write_localhost_tls(Path(directory), extra_names=(JS_HOST,))
        tls = ["--cert-file", str(files.cert_file), "--key-file", str(files.key_file)]
        with serve_vault(tls, str(files.ca_file)) as (url, ca_file):
            yield url.replace("127.0.0.1", JS_HOST, 1), ca_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples-dir", type=Path, help="a samples folder (default: the sdist's, downloaded once)")
    parser.add_argument("--js", action="store_true", help="run the JS samples (*.js) of --samples-dir with node")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these samples (file names without .py)")
    parser.add_argument("--sync-only", action="store_true", help="skip the *_async samples")
    parser.add_argument("--vault-url", help="a running vault (default: start kvconform serve --tls)")
    parser.add_argument("--ca-file", help="the CA bundle of --vault-url")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per sample (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.js:
        return _main_js(args)
    try:
        folder = args.samples_dir or fetch_samples()
    except (subprocess.CalledProcessError, OSError, StopIteration) as exc:
        print(f"run_sdk_samples: cannot get the {SDK} {VERSION} samples: {exc}", file=sys.stderr)
        return 2
    samples = sorted(path for path in folder.glob("*.py") if not path.name.startswith("_"))
    if args.only:
        samples = [path for path in samples if path.stem in args.only]
    if args.sync_only:
        samples = [path for path in samples if not path.stem.endswith("_async")]
    elif importlib.util.find_spec("aiohttp") is None and any(path.stem.endswith("_async") for path in samples):
        # The samples' README: the async ones need an async transport (pip install aiohttp).
        print("run_sdk_samples: the *_async samples need aiohttp (pip install aiohttp); --sync-only skips them",
              file=sys.stderr)  # fmt: skip
        return 2
    if not samples:
        print(f"run_sdk_samples: no samples to run in {folder}", file=sys.stderr)
        return 2
    with contextlib.ExitStack() as stack:
        if args.vault_url:
            url, ca_file = args.vault_url, args.ca_file or ""
        else:
            url, ca_file = stack.enter_context(serve_vault())
        print(f"{SDK} {VERSION} samples from {folder} against {url}", flush=True)
        results = run_samples(samples, url, ca_file, timeout=args.timeout)
    return _report(results)


def _main_js(args: argparse.Namespace) -> int:
    if args.samples_dir is None or not args.samples_dir.is_dir():
        print("run_sdk_samples: --js needs --samples-dir DIR, a folder with the JS samples", file=sys.stderr)
        return 2
    samples = js_samples(args.samples_dir)
    if args.only:
        samples = [path for path in samples if path.stem in args.only]
    if not samples:
        print(f"run_sdk_samples: no JS samples to run in {args.samples_dir}", file=sys.stderr)
        return 2
    if shutil.which("node") is None or shutil.which("npm") is None:
        print("run_sdk_samples: --js needs node and npm on the PATH", file=sys.stderr)
        return 2
    try:
        js_modules()
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"run_sdk_samples: npm install of {' '.join(JS_PACKAGES)} failed: {exc}", file=sys.stderr)
        return 2
    with contextlib.ExitStack() as stack:
        if args.vault_url:
            url, ca_file = args.vault_url, args.ca_file or ""
        else:
            url, ca_file = stack.enter_context(serve_vault_for_node())
        print(f"JS samples from {args.samples_dir} against {url}", flush=True)
        results = run_samples(samples, url, ca_file, timeout=args.timeout, js=True)
    return _report(results)


def _report(results: list[tuple[str, bool, float, str]]) -> int:
    for name, passed, seconds, tail in results:
        print(f"{'pass' if passed else 'FAIL'}  {name:<36} {seconds:5.1f} s")
        if not passed:
            print("      " + tail.replace("\n", "\n      "))
    failed = sum(not passed for _, passed, _, _ in results)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
