#!/usr/bin/env bash
# Regenerate every result under results/ with one command (see docs/peers.md, docs/matrix.md):
#   scripts/peers/regenerate.sh [--go-binary PATH] [--lowkey-jar PATH] [--matrix-only]
# Each peer runs in turn on 127.0.0.1; a peer that cannot be had here (no binary, no jar) is reported and skipped,
# and its earlier results stay as they are. Then the real service is judged from every recorded session
# (tests/data/real-sessions/*.recording.json, and every *.recording.json and *.har under tests/data/corpus when it
# exists) into results/real-service/, and the matrix of every results/*/summary.json is written to
# results/index.html, results/MATRIX.md and results/badges/. --matrix-only: only the judging and the matrix.
# Exit 0 when every peer that ran finished its run (whatever its verdict), 2 when a peer could not be started or
# the judging or the matrix could not be written.
set -u
cd "$(dirname "$0")/../.."
go_binary="${KVCONFORM_GO_EMULATOR:-$HOME/.cache/kvconform/peers/azure-keyvault-emulator}"
lowkey_jar=""
matrix_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --go-binary) go_binary="$2"; shift 2 ;;
    --lowkey-jar) lowkey_jar="$2"; shift 2 ;;
    --matrix-only) matrix_only=1; shift ;;
    *) echo "usage: $0 [--go-binary PATH] [--lowkey-jar PATH] [--matrix-only]" >&2; exit 2 ;;
  esac
done
status=0
run() {  # run PEER ARGS...: one peer; exit codes 0, 1, 3 and 4 are verdicts, 2 is "could not start"
  python scripts/peers/run_peer.py --peer "$1" --out "results/$1" "${@:2}"
  code=$?
  if [ "$code" -eq 2 ]; then status=2; fi
  echo "$1: exit $code"
}
if [ "$matrix_only" -eq 0 ]; then
  run refvault
  if [ -x "$go_binary" ]; then run go-emulator --binary "$go_binary"; else echo "go-emulator: no binary at $go_binary (docs/peers.md)"; status=2; fi
  if [ -n "$lowkey_jar" ]; then run lowkey --jar "$lowkey_jar"; else run lowkey; fi
fi
# The real service, judged from what official SDK test suites recorded against it (kvconform judge).
sessions=()
while IFS= read -r file; do sessions+=("$file"); done < <(
  { find tests/data/real-sessions -name '*.recording.json'
    if [ -d tests/data/corpus ]; then find tests/data/corpus -type f \( -name '*.recording.json' -o -name '*.har' \); fi
  } | LC_ALL=C sort)
kvconform judge "${sessions[@]}" --report-dir results/real-service >/dev/null
code=$?
echo "real-service: judged ${#sessions[@]} recorded sessions, exit $code"
if [ "$code" -eq 2 ] || [ "$code" -eq 3 ]; then status=2; fi
python scripts/peers/describe_real_service.py results/real-service "${sessions[@]}" || status=2
# The matrix over every implementation's results.
runs=()  # the reference vault first, the peers, then the real service; any other results/*/ before it
for name in refvault lowkey go-emulator $(cd results && ls -d */ | tr -d / | grep -vxE 'refvault|lowkey|go-emulator|real-service|badges') real-service; do
  if [ -f "results/$name/summary.json" ]; then runs+=("results/$name"); fi
done
kvconform matrix "${runs[@]}" --out results || status=2
exit "$status"
