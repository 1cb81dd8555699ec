"""``kvconform serve``: run the reference vault as a mock Key Vault until Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import threading
from pathlib import Path

from ._crypto import write_localhost_tls
from ._db import lock
from ._faults import FAULTS
from ._persist import DB_FILE, StateFileError
from ._server import running_vault
from ._settings import VaultSettings

EPILOG = """\
An official SDK needs three things (kvconform serve --tls prints them when it starts):
  URL         https://127.0.0.1:8443  (not localhost: the SDKs accept the vault's challenge only for a host
              with a dot; the JS SDK accepts none for an IP address, see the README's "Mock vault")
  CA bundle   the ca.pem it prints: SSL_CERT_FILE or REQUESTS_CA_BUNDLE (Python), NODE_EXTRA_CA_CERTS (JS)
  credential  any bearer token (--token T to insist on one): a static-token credential, see the README's
              "Mock vault" section
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``kvconform serve``."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument(
        "--port", type=int, default=8443, help="port to listen on, 0 for any free one (default: %(default)s)"
    )
    tls = parser.add_mutually_exclusive_group()
    tls.add_argument("--tls", action="store_true", help="serve https with a generated certificate for localhost")
    tls.add_argument("--cert-file", metavar="F", help="serve https with this PEM certificate (needs --key-file)")
    parser.add_argument("--key-file", metavar="F", help="the PEM private key of --cert-file")
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
        "--fault", action="append", default=[], metavar="NAME", help="make this documented departure (repeatable)"
    )
    parser.add_argument("--list-faults", action="store_true", help="list the faults and their requirements, then exit")


def main(args: argparse.Namespace) -> int:
    """Run the vault from parsed options; 0 after Ctrl-C, 2 for bad options."""
    if args.list_faults:
        for fault in FAULTS.values():
            print(f"{fault.name:<34} {fault.requirement:<24} {fault.description}")
        return 0
    if (args.cert_file is None) != (args.key_file is None):
        print("kvconform serve: --cert-file and --key-file go together", file=sys.stderr)
        return 2
    try:
        settings = VaultSettings(
            issuance_delay=args.issuance_delay,
            cancel_delay=args.cancel_delay,
            deleted_visibility_delay=args.deleted_visibility_delay,
            token=args.token,
            public_url=args.public_url,
            faults=frozenset(args.fault),
            data_dir=args.data_dir,
        )
    except ValueError as exc:
        print(f"kvconform serve: {exc}", file=sys.stderr)
        return 2
    held = _hold_data_dir(settings)
    if isinstance(held, str):
        print(f"kvconform serve: {held}", file=sys.stderr)
        return 2
    cert_file, key_file = args.cert_file, args.key_file
    with held, tempfile.TemporaryDirectory(prefix="kvconform-tls-") as directory:
        ca_file = None
        if args.tls:
            files = write_localhost_tls(Path(directory))
            cert_file, key_file, ca_file = str(files.cert_file), str(files.key_file), files.ca_file
        try:
            with running_vault(
                settings, host=args.host, port=args.port, ssl_certfile=cert_file, ssl_keyfile=key_file
            ) as url:
                print(f"kvconform reference vault listening on {url}", flush=True)
                for line in _usage_lines(url, ca_file, settings):
                    print(line, flush=True)
                if settings.data_dir is not None:
                    print(f"kvconform: state kept in {settings.data_dir / DB_FILE}", flush=True)
                if settings.faults:
                    print(f"kvconform: faults on: {', '.join(sorted(settings.faults))}", flush=True)
                _wait_forever()
        except KeyboardInterrupt:
            pass  # Ctrl-C: running_vault has stopped the server on the way out
        except StateFileError as exc:
            print(f"kvconform serve: {exc}", file=sys.stderr)
            return 2
        except OSError as exc:
            print(f"kvconform serve: cannot serve on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    print("kvconform reference vault stopped")
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


def _usage_lines(url: str, ca_file: Path | None, settings: VaultSettings) -> list[str]:
    """The three lines a user needs: the URL, the CA bundle, the credential."""
    token = "the token given with --token" if settings.token else "any bearer token (a static-token credential)"
    lines = [f"  URL:        {url}"]
    if ca_file is not None:
        lines.append(f"  CA bundle:  {ca_file}  (SSL_CERT_FILE / REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS)")
    lines.append(f"  credential: {token}")
    return lines


def _wait_forever() -> None:
    """Sleep until Ctrl-C (KeyboardInterrupt), waking up now and then so that the signal is seen at once."""
    stop = threading.Event()
    while not stop.wait(1.0):
        pass
