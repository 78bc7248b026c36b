#!/usr/bin/env bash
# On the GPU host, in every transfer call: reports the GPU and its CUDA driver (which cuDF classifier
# fits), and checks the payload parts that have arrived so far against the manifest. Carried folders stay
# on the host between calls while it is warm (ignored paths are kept), so nothing is moved.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PAY="$ROOT/gpu-rapids/device/payload"

if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
  CUDA=$(nvidia-smi | sed -n 's/.*CUDA Version: *\([0-9][0-9]*\)\.\([0-9]*\).*/\1.\2/p' | head -1)
  echo "driver supports CUDA $CUDA"
  case "$CUDA" in
    1[3-9].*|[2-9][0-9].*) echo "classifier: cuda13 fits (the smaller jar, fewer parts); cuda12 also runs" ;;
    12.*) echo "classifier: cuda12 (a 12.x driver cannot run cuda13)" ;;
    *) echo "classifier: unknown CUDA version '$CUDA'" ;;
  esac
else
  echo "nvidia-smi not found"
fi

MANIFEST="$PAY/call-01/manifest.txt"
if [ ! -f "$MANIFEST" ]; then
  echo "payload: call-01 (manifest, runtime, app) has not arrived"
  exit 0
fi
grep -E '^(classifier|so_parts)' "$MANIFEST"
have=0; missing=0; bad=0
while read -r _ sum file; do
  if [ ! -f "$PAY/$file" ]; then missing=$((missing + 1)); continue; fi
  if [ "$(sha256sum "$PAY/$file" | cut -d' ' -f1)" = "$sum" ]; then have=$((have + 1)); else bad=$((bad + 1)); echo "CORRUPT $file"; fi
done < <(grep '^file ' "$MANIFEST")
echo "payload: $have files present and intact, $missing still to come, $bad corrupt"
