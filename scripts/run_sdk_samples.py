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
``samples/``); they live only in the SDK's source repository, so this script runs the Python ones.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib.util
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

SDK = "azure-keyvault-certificates"
VERSION = "4.12.0"
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
def serve_vault() -> Iterator[tuple[str, str]]:
    """``kvconform serve --tls --port 0`` in a child process; yields its URL and CA file."""
    command = [sys.executable, "-m", "conformance", "serve", "--tls", "--port", "0", "--issuance-delay", "0.5"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = ca_file = None
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
    samples: list[Path], url: str, ca_file: str, *, timeout: float = 180.0
) -> list[tuple[str, bool, float, str]]:
    """Run each sample; returns ``(name, passed, seconds, last lines of its output)``."""
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
        for sample in samples:
            started = time.monotonic()
            try:
                done = subprocess.run(
                    [sys.executable, str(sample)], env=env, cwd=work, capture_output=True, text=True, timeout=timeout
                )
                passed, output = done.returncode == 0, done.stdout + done.stderr
            except subprocess.TimeoutExpired:
                passed, output = False, f"timed out after {timeout:g} s"
            tail = "\n".join(output.strip().splitlines()[-6:])
            results.append((sample.stem, passed, time.monotonic() - started, tail))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples-dir", type=Path, help="a samples folder (default: the sdist's, downloaded once)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these samples (file names without .py)")
    parser.add_argument("--sync-only", action="store_true", help="skip the *_async samples")
    parser.add_argument("--vault-url", help="a running vault (default: start kvconform serve --tls)")
    parser.add_argument("--ca-file", help="the CA bundle of --vault-url")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per sample (default: %(default)s)")
    args = parser.parse_args(argv)
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
    for name, passed, seconds, tail in results:
        print(f"{'pass' if passed else 'FAIL'}  {name:<36} {seconds:5.1f} s")
        if not passed:
            print("      " + tail.replace("\n", "\n      "))
    failed = sum(not passed for _, passed, _, _ in results)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
