#!/usr/bin/env bash
# Regenerate every peer's results under results/ with one command (see docs/peers.md):
#   scripts/peers/regenerate.sh [--go-binary PATH] [--lowkey-jar PATH]
# Each peer runs in turn on 127.0.0.1; a peer that cannot be had here (no binary, no jar) is reported and skipped,
# and its earlier results stay as they are. Exit 0 when every peer that ran finished its run (whatever its
# verdict), 2 when a peer could not be started.
set -u
cd "$(dirname "$0")/../.."
go_binary="${KVCONFORM_GO_EMULATOR:-$HOME/.cache/kvconform/peers/azure-keyvault-emulator}"
lowkey_jar=""
while [ $# -gt 0 ]; do
  case "$1" in
    --go-binary) go_binary="$2"; shift 2 ;;
    --lowkey-jar) lowkey_jar="$2"; shift 2 ;;
    *) echo "usage: $0 [--go-binary PATH] [--lowkey-jar PATH]" >&2; exit 2 ;;
  esac
done
status=0
run() {  # run PEER ARGS...: one peer; exit codes 0, 1, 3 and 4 are verdicts, 2 is "could not start"
  python scripts/peers/run_peer.py --peer "$1" --out "results/$1" "${@:2}"
  code=$?
  if [ "$code" -eq 2 ]; then status=2; fi
  echo "$1: exit $code"
}
run refvault
if [ -x "$go_binary" ]; then run go-emulator --binary "$go_binary"; else echo "go-emulator: no binary at $go_binary (docs/peers.md)"; status=2; fi
if [ -n "$lowkey_jar" ]; then run lowkey --jar "$lowkey_jar"; else run lowkey; fi
exit "$status"
