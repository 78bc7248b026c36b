#!/usr/bin/env bash
# On the GPU host, the last call (no carry; timeout_s 600): reassembles the cuDF jar from its parts,
# unpacks the Java runtime and the app, and runs (1) the gpu-tagged tests (dev.arrax.gpu.GpuTestMain:
# every lowered primitive, W1-W3, runDirect, parts of rows, no leaks), (2) bench.sh gpu on
# ${ROWS:-10000000} rows. Logs go to $OUT (they come back with the call's reply).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PAY="$ROOT/gpu-rapids/device/payload"
WORK="${ARRAX_DEVICE_WORK:-/tmp/arrax-device}"
OUT="${OUT:-$WORK/out}"
ROWS="${ROWS:-10000000}"
REPS="${REPS:-3}"
mkdir -p "$WORK" "$OUT"
MANIFEST="$PAY/call-01/manifest.txt"
[ -f "$MANIFEST" ] || { echo "run: $MANIFEST missing: carry payload/call-01 first (README.md)"; exit 2; }

nvidia-smi 2>&1 | tee "$OUT/nvidia-smi.txt"
bash "$ROOT/gpu-rapids/device/receive.sh" | tail -1
PARTS=$(sed -n 's/^so_parts //p' "$MANIFEST")
SO=$(sed -n 's/^so_entry //p' "$MANIFEST")
SUM=$(sed -n 's/^so_sha256 //p' "$MANIFEST")
XZ_PARTS=()
for ((i = 0; i < PARTS; i++)); do
  part=$(ls "$PAY"/call-*/libcudf.so.xz.part-"$(printf '%02d' "$i")" 2>/dev/null | head -1)
  [ -n "$part" ] || { echo "run: libcudf part $i of $PARTS has not arrived (carry its call folder)"; exit 2; }
  XZ_PARTS+=("$part")
done
# cuDF's jar again: the slim jar plus libcudf.so, decompressed from the concatenated parts and stored.
python3 - "$PAY/call-01/cudf-slim.jar" "$WORK/cudf.jar" "$SO" "$SUM" "${XZ_PARTS[@]}" <<'PY' || { echo "run: rebuilding cudf.jar failed"; exit 2; }
import hashlib, lzma, shutil, sys, zipfile
slim, out, so, want = sys.argv[1:5]
parts = sys.argv[5:]

class Joined:
    """The xz parts read back to back as one stream."""
    def __init__(self, paths):
        self.files = [open(p, "rb") for p in paths]
    def read(self, n=-1):
        data = b""
        while self.files and (n < 0 or len(data) < n):
            chunk = self.files[0].read(-1 if n < 0 else n - len(data))
            if not chunk:
                self.files.pop(0).close()
                continue
            data += chunk
        return data

digest = hashlib.sha256()
with zipfile.ZipFile(slim) as i, zipfile.ZipFile(out, "w") as o:
    for info in i.infolist():
        o.writestr(info, i.read(info.filename))
    with lzma.open(Joined(parts)) as f, o.open(zipfile.ZipInfo(so), "w", force_zip64=True) as dst:
        while True:
            block = f.read(16 << 20)
            if not block:
                break
            digest.update(block)
            dst.write(block)
if digest.hexdigest() != want:
    sys.exit("libcudf.so does not match its sha256 after decompression")
print("cudf.jar rebuilt, libcudf.so verified")
PY
rm -rf "$WORK/jre" "$WORK/app"
tar xzf "$PAY/call-01/jre.tgz" -C "$WORK" && tar xzf "$PAY/call-01/app.tgz" -C "$WORK" || { echo "run: unpacking failed"; exit 2; }
JAVA="$WORK/jre/bin/java"
"$JAVA" -version 2>&1 | head -1
APP_CP=$(ls "$WORK"/app/lib/*.jar | tr '\n' ':')
APP_CP=${APP_CP%:}
FLAGS="--add-modules jdk.incubator.vector -XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED"

echo "== gpu tests"
# shellcheck disable=SC2086
timeout 330 "$JAVA" $FLAGS -Xmx48g -Dai.rapids.refcount.debug=true -cp "$APP_CP:$WORK/cudf.jar" dev.arrax.gpu.GpuTestMain 2>&1 | tee "$OUT/gpu-tests.log"
TESTS=${PIPESTATUS[0]}

echo "== bench.sh gpu --rows $ROWS --reps $REPS"
ARRAX_BENCH_CLASSPATH="$APP_CP" ARRAX_CUDF_JAR="$WORK/cudf.jar" JAVA="$JAVA" BENCH_JAVA_OPTS="-Xms8g -Xmx100g" \
  timeout 240 bash "$ROOT/examples/bench.sh" gpu --rows "$ROWS" --reps "$REPS" 2>&1 | tee "$OUT/bench-gpu.log"
BENCH=${PIPESTATUS[0]}
echo "run: gpu tests exit $TESTS, bench exit $BENCH"
[ "$TESTS" = 0 ] && [ "$BENCH" = 0 ]
