"""``kvconform serve``: run the reference vault as a mock Key Vault until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from ._crypto import IssuingCA, write_localhost_tls
from ._db import lock
from ._faults import FAULTS, QUIRKS
from ._persist import DB_FILE, StateFileError
from ._server import running_vault
from ._settings import VaultSettings

EPILOG = """\
An official SDK needs three things (kvconform serve --tls prints them when it starts):
  URL         https://127.0.0.1:8443  (not localhost: the SDKs accept the vault's challenge only for a host
              with a dot; the JS SDK accepts none for an IP address, see docs/mock-vault.md)
  CA bundle   the ca.pem it prints, trusted per client as it prints (Python: REQUESTS_CA_BUNDLE or
              connection_verify=, not SSL_CERT_FILE; JS: NODE_EXTRA_CA_CERTS; Java: a truststore; Go: SSL_CERT_FILE;
              curl: --cacert); --ca-dir DIR keeps the same CA across restarts
  credential  any bearer token (--token T to insist on one): a static-token credential, see
              docs/mock-vault.md
Ctrl-C or SIGTERM stops it (exit 0) and removes its throw-away TLS files; a bad option is one line and exit 2.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``kvconform serve``."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument(
        "--port", type=_port, default=8443, help="port to listen on, 0 for any free one (default: %(default)s)"
    )
    tls = parser.add_mutually_exclusive_group()
    tls.add_argument("--tls", action="store_true", help="serve https with a generated certificate for localhost")
    tls.add_argument("--cert-file", metavar="F", help="serve https with this PEM certificate (needs --key-file)")
    parser.add_argument("--key-file", metavar="F", help="the PEM private key of --cert-file")
    parser.add_argument(
        "--ca-dir",
        metavar="DIR",
        type=Path,
        help="with --tls: keep the CA and its key in DIR (made 0700, key 0600) and reuse them, so that a restart "
        "serves the same CA (exit 2 if DIR holds something else)",
    )
    parser.add_argument("--token", metavar="T", help="accept only this bearer token (default: any non-empty token)")
    parser.add_argument(
        "--issuance-delay",
        type=float,
        default=2.0,
        metavar="S",
        help="seconds until issuer Self completes (default: %(default)s)",
    )
    parser.add_argument(
        "--cancel-delay",
        type=float,
        default=1.0,
        metavar="S",
        help="seconds until a requested cancellation shows as cancelled (default: %(default)s)",
    )
    parser.add_argument(
        "--deleted-visibility-delay",
        type=float,
        default=0.0,
        metavar="S",
        help="seconds until a deleted certificate is listed and purgeable (default: %(default)s)",
    )
    parser.add_argument(
        "--public-url", metavar="URL", help="the vault URL to put in bodies and headers (behind a proxy)"
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        type=Path,
        help="keep the vault's state in DIR/refvault.sqlite3 across restarts (exit 2 if it holds another file, is in "
        "use by another serve or cannot be written)",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME",
        help="make this documented departure, or behave with this quirk (repeatable)",
    )
    parser.add_argument(
        "--list-faults",
        action="store_true",
        help="list the faults and their requirements, then the quirks (no departure), then exit",
    )


def main(args: argparse.Namespace) -> int:
    """Run the vault from parsed options; 0 after Ctrl-C or SIGTERM, 2 for bad options (checked before it starts)."""
    if args.list_faults:
        for fault in FAULTS.values():
            print(f"{fault.name:<34} {fault.requirement:<24} {fault.description}")
        print("\nQuirks: no departure from the document, only trouble a run must survive (the self-test scores none):")
        for quirk in QUIRKS.values():
            print(f"{quirk.name:<34} {'(no requirement)':<24} {quirk.description}")
        return 0
    try:
        _check_files(args)
        settings = VaultSettings(
            issuance_delay=args.issuance_delay,
            cancel_delay=args.cancel_delay,
            deleted_visibility_delay=args.deleted_visibility_delay,
            token=args.token,
            public_url=args.public_url,
            faults=frozenset(args.fault),
            data_dir=args.data_dir,
        )
        kept_ca = _kept_ca(args.ca_dir) if args.ca_dir is not None else None
    except ValueError as exc:
        print(f"kvconform serve: {exc}", file=sys.stderr)
        return 2
    held = _hold_data_dir(settings)
    if isinstance(held, str):
        print(f"kvconform serve: {held}", file=sys.stderr)
        return 2
    cert_file, key_file = args.cert_file, args.key_file
    with held, tempfile.TemporaryDirectory(prefix="kvconform-tls-") as directory, _sigterm_as_interrupt():
        ca_file = None
        if args.tls:
            files = write_localhost_tls(Path(directory), kept_ca)
            cert_file, key_file, ca_file = str(files.cert_file), str(files.key_file), files.ca_file
            if args.ca_dir is not None:
                ca_file = args.ca_dir.resolve() / _CA_FILE
        try:
            with running_vault(
                settings, host=args.host, port=args.port, ssl_certfile=cert_file, ssl_keyfile=key_file
            ) as url:
                print(f"kvconform reference vault listening on {url}", flush=True)
                for line in _usage_lines(url, ca_file, settings):
                    print(line, flush=True)
                if settings.data_dir is not None:
                    print(f"kvconform: state kept in {settings.data_dir / DB_FILE}", flush=True)
                faults, quirks = sorted(settings.faults - QUIRKS.keys()), sorted(settings.faults & QUIRKS.keys())
                if faults:
                    print(f"kvconform: faults on: {', '.join(faults)}", flush=True)
                if quirks:
                    print(f"kvconform: quirks on (no departure): {', '.join(quirks)}", flush=True)
                _wait_forever()
        except KeyboardInterrupt:
            pass  # Ctrl-C or SIGTERM: running_vault has stopped the server on the way out
        except StateFileError as exc:
            print(f"kvconform serve: {exc}", file=sys.stderr)
            return 2
        except OSError as exc:
            print(f"kvconform serve: cannot serve on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    print("kvconform reference vault stopped", flush=True)
    return 0


def _hold_data_dir(settings: VaultSettings) -> contextlib.AbstractContextManager[object] | str:
    """Lock ``--data-dir`` (one writer per state; the lock ends with the process, however it ends): the lock file to
    hold while serving, or the one line saying why the directory cannot be used."""
    if settings.data_dir is None:
        return contextlib.nullcontext()
    try:
        return lock(settings.data_dir)
    except StateFileError as exc:
        return str(exc)


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number from 0 to 65535, got {value!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be from 0 to 65535 (0: any free port), got {value!r}")
    return port


def _check_files(args: argparse.Namespace) -> None:
    """``--cert-file``/``--key-file`` go together and must be readable files; ``--ca-dir`` goes with ``--tls``."""
    if (args.cert_file is None) != (args.key_file is None):
        raise ValueError("--cert-file and --key-file go together")
    for flag, name in (("--cert-file", args.cert_file), ("--key-file", args.key_file)):
        if name is None:
            continue
        if not os.path.isfile(name):
            raise ValueError(f"{flag} {name}: {'not a file' if os.path.exists(name) else 'no such file'}")
        if not os.access(name, os.R_OK):
            raise ValueError(f"{flag} {name}: not readable")
    if args.ca_dir is not None and not args.tls:
        raise ValueError("--ca-dir goes with --tls (the CA that signs its localhost certificate)")


_CA_FILE, _CA_KEY_FILE = "ca.pem", "ca-key.pem"


def _kept_ca(directory: Path) -> IssuingCA:
    """``--ca-dir``: the CA kept in ``directory``, made there on first use (directory 0700, key 0600). A ``ValueError``
    naming the file when what is there is not a CA certificate and its key; nothing there is changed then."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    cert_path, key_path = directory / _CA_FILE, directory / _CA_KEY_FILE
    try:
        if directory.exists() and not directory.is_dir():
            raise ValueError(f"--ca-dir {directory}: not a directory")
        if not cert_path.exists() and not key_path.exists():
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            ca = IssuingCA("kvconform localhost CA")
            with os.fdopen(os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as key_out:
                key_out.write(ca.key_pem())
            cert_path.write_bytes(ca.certificate.public_bytes(serialization.Encoding.PEM))
            return ca
        for path in (cert_path, key_path):
            if not path.is_file():
                raise ValueError(
                    f"--ca-dir: {path} is missing or not a file (a kept CA is {_CA_FILE} and {_CA_KEY_FILE})"
                )
        try:
            certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
        except ValueError:
            raise ValueError(f"--ca-dir: {cert_path} is not a PEM certificate; left as it is") from None
        try:
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        except (ValueError, TypeError):
            raise ValueError(f"--ca-dir: {key_path} is not an unencrypted PEM private key; left as it is") from None
    except OSError as exc:
        raise ValueError(f"--ca-dir {directory}: {exc.strerror or exc}") from None
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.public_key().public_bytes(
        *spki
    ) != certificate.public_key().public_bytes(*spki):
        raise ValueError(f"--ca-dir: {key_path} is not the key of {cert_path} (a kvconform CA); left as it is")
    return IssuingCA.loaded(certificate, key)


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (a service manager, ``docker stop``, CI) stops the vault as Ctrl-C does (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _usage_lines(url: str, ca_file: Path | None, settings: VaultSettings) -> list[str]:
    """The three things a client needs: the URL, the CA bundle and how each SDK trusts it, the credential."""
    token = "the token given with --token" if settings.token else "any bearer token (a static-token credential)"
    lines = [f"  URL:        {url}"]
    if ca_file is not None:
        lines += [
            f"  CA bundle:  {ca_file}",
            f"    Python:   REQUESTS_CA_BUNDLE={ca_file} or connection_verify= (the SDK ignores SSL_CERT_FILE;"
            " async's aiohttp reads SSL_CERT_FILE)",
            f"    JS:       NODE_EXTRA_CA_CERTS={ca_file}",
            f"    Java:     keytool -importcert -noprompt -alias kvconform -file {ca_file} -keystore kvconform.p12"
            " -storepass changeit, then -Djavax.net.ssl.trustStore=kvconform.p12"
            " -Djavax.net.ssl.trustStorePassword=changeit",
            f"    Go, .NET: SSL_CERT_FILE={ca_file} (Linux)",
            f"    curl:     --cacert {ca_file}",
        ]
    lines.append(f"  credential: {token}")
    return lines


def _wait_forever() -> None:
    """Sleep until Ctrl-C (KeyboardInterrupt), waking up now and then so that the signal is seen at once."""
    stop = threading.Event()
    while not stop.wait(1.0):
        pass


def console(argv: list[str] | None = None) -> int:
    """The ``kvconform-vault`` command: ``kvconform-vault serve [options]``, the options of ``kvconform serve``."""
    parser = argparse.ArgumentParser(prog="kvconform-vault", description="A mock Azure Key Vault (certificates).")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_arguments(commands.add_parser("serve", help="serve the reference vault until Ctrl-C"))
    try:
        return main(parser.parse_args(argv))
    except BrokenPipeError:  # the reader went away (``kvconform-vault serve --list-faults | head``)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
