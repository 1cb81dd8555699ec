"""Run the official Python SDK's own tests, unmodified, in live mode against ``kvconform serve --tls``.

The tests ship in the azure-keyvault-certificates sdist on PyPI (``tests/``); this script downloads it once into
the kvconform cache (``pip download --no-binary``), starts the reference vault with a throw-away CA, and runs
pytest on those tests with ``AZURE_KEYVAULT_URL`` set to the vault. The tests import ``devtools_testutils`` (the
Azure SDK's test-proxy framework, not on PyPI); ``scripts/sdk_tests_standin/`` holds a small stand-in of ours for
live mode: the recording decorators pass through, the preparers give the vault's URL, the credential a fixed token.

The tests run in a virtual environment of their own, made once in the cache with what they need (the SDK, aiohttp
for the async tests, pyOpenSSL for the merge test, pytest-asyncio), so that none of it reaches the project's
environment. The merge test signs with ``ca.key``/``ca.crt`` beside the tests (kept out of the sdist): a throw-away
CA is written there.

Usage: ``python scripts/run_sdk_tests.py [--tests-dir DIR] [--vault-url URL --ca-file F] [PYTEST ARGS ...]``
(arguments it does not know go to pytest, e.g. ``-k merge``). Prints pytest's report; exits with pytest's code
(0 when every test passed or was skipped), 2 when the tests or the vault cannot be had.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_sdk_samples import SDK, VERSION, cache_dir, serve_vault

STANDIN = Path(__file__).resolve().parent / "sdk_tests_standin"
# pyOpenSSL 24.3 removed crypto.load_certificate_request, which the merge test still calls
REQUIREMENTS = ("azure-identity", "aiohttp", "pyopenssl<24.3", "pytest", "pytest-asyncio", "pytest-timeout")


def fetch_tests(version: str = VERSION) -> Path:
    """The tests folder of the SDK's sdist, downloaded with pip once into the cache."""
    target = cache_dir() / f"py-tests-{version}"
    if (target / "tests").is_dir():
        return target / "tests"
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as download:
        command = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:"]
        subprocess.run([*command, f"{SDK}=={version}", "-d", download], check=True, capture_output=True)
        archive = next(Path(download).glob("*.tar.gz"))
        staging = Path(tempfile.mkdtemp(dir=target.parent))
        with tarfile.open(archive) as tar:
            members = [m for m in tar.getmembers() if "/tests/" in m.name and m.isfile()]
            tar.extractall(staging, members=members, filter="data")
        target.mkdir(parents=True, exist_ok=True)
        next(staging.glob("*/tests")).rename(target / "tests")
    return target / "tests"


def test_environment(version: str = VERSION) -> Path:
    """The Python of a virtual environment in the cache with the SDK and the tests' needs, made once."""
    folder = cache_dir() / f"py-tests-{version}" / "venv"
    python = folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    stamp = folder / "kvconform-ready"
    if not stamp.exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(folder)], check=True, capture_output=True)
        install = [str(python), "-m", "pip", "install", "-q", f"{SDK}=={version}", *REQUIREMENTS]
        subprocess.run(install, check=True, capture_output=True)
        stamp.write_text("ok\n")
    return python


def write_test_ca(folder: Path) -> None:
    """``ca.key`` and ``ca.crt`` for the merge test (the SDK repository has them; the sdist does not)."""
    if (folder / "ca.key").exists() and (folder / "ca.crt").exists():
        return
    from cryptography.hazmat.primitives import serialization

    from conformance._x509 import ThrowawayCA

    ca = ThrowawayCA()
    key = ca.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    (folder / "ca.key").write_bytes(key)
    (folder / "ca.crt").write_bytes(ca.certificate.public_bytes(serialization.Encoding.PEM))


def run_tests(python: Path, folder: Path, url: str, ca_file: str, pytest_args: list[str]) -> int:
    """pytest on the SDK's tests, live against ``url``, with the stand-in ``devtools_testutils`` importable."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(STANDIN), os.environ.get("PYTHONPATH")])),
        "AZURE_KEYVAULT_URL": url,
        "AZURE_TEST_RUN_LIVE": "true",
        "SSL_CERT_FILE": ca_file,
        "REQUESTS_CA_BUNDLE": ca_file,
    }
    with tempfile.TemporaryDirectory(prefix="kvconform-sdk-tests-") as work:
        ini = Path(work) / "pytest.ini"  # the SDK's tests, not this project's pytest settings
        ini.write_text("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n")
        plugins = ["-p", "no:cacheprovider", "-p", "devtools_testutils._pytest_plugin"]
        command = [str(python), "-m", "pytest", "-c", str(ini), "--rootdir", str(folder), *plugins, "-rfEs"]
        command += [str(folder), *pytest_args]
        return subprocess.run(command, env=env, cwd=work, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests-dir", type=Path, help="a tests folder (default: the sdist's, downloaded once)")
    parser.add_argument("--vault-url", help="a running vault (default: start kvconform serve --tls)")
    parser.add_argument("--ca-file", help="the CA bundle of --vault-url")
    args, pytest_args = parser.parse_known_args(argv)
    try:
        folder = args.tests_dir or fetch_tests()
        python = test_environment()
        write_test_ca(folder)
    except (subprocess.CalledProcessError, OSError, StopIteration) as exc:
        detail = getattr(exc, "stderr", None) or exc
        print(f"run_sdk_tests: cannot get the {SDK} {VERSION} tests or their environment: {detail}", file=sys.stderr)
        return 2
    with contextlib.ExitStack() as stack:
        if args.vault_url:
            url, ca_file = args.vault_url, args.ca_file or ""
        else:
            url, ca_file = stack.enter_context(serve_vault())
        print(f"{SDK} {VERSION} tests from {folder} against {url}", flush=True)
        return run_tests(python, folder, url, ca_file, pytest_args)


if __name__ == "__main__":
    sys.exit(main())
