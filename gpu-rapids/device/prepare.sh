#!/usr/bin/env bash
# Builds everything the GPU host needs into gpu-rapids/device/payload/ (git-ignored), in folders of at
# most ~58 MiB that travel one per device call (the device tool carries at most 64 MiB a call):
#
#   payload/call-01/  jre.tgz (a jlink-built Java 17 runtime, ~24 MB), app.tgz (Arrax jars, test classes,
#                     JUnit, Janino, SLF4J), cudf-slim.jar (the cuDF jar without libcudf.so),
#                     manifest.txt (sha256 of every file and of libcudf.so itself)
#   payload/call-02/  libcudf.so.xz.part-00   (cuDF's 1.2 GB native library, xz-compressed, 58 MiB parts)
#   payload/call-03/  libcudf.so.xz.part-01   ...
#
#   bash gpu-rapids/device/prepare.sh [cuda12|cuda13]      (default cuda12: the jar already in ~/.m2)
#
# Why xz: the jar deflates libcudf.so to 62% (742 MB for cuda12: 13 calls of 58 MiB); xz -6 gets it to
# about 30% (~350 MB: 6 calls). Compressing takes ~5 minutes on 2 cores, once: the result is cached in
# ~/.cache/arrax-device. run.sh decompresses with Python's lzma (the host has Python, no Java) and puts
# the library back into the jar, stored.
# cuda13 (337 MB jar) needs a CUDA 13 driver on the GPU host; cuda12 runs on 12.x and 13.x drivers. Check
# the host's driver first (receive.sh prints it). Then follow README.md.
set -euo pipefail

CLASSIFIER="${1:-cuda12}"
case "$CLASSIFIER" in cuda12|cuda13) ;; *) echo "prepare: classifier must be cuda12 or cuda13, got '$CLASSIFIER'" >&2; exit 2 ;; esac
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
DEV="$ROOT/gpu-rapids/device"
PAY="$DEV/payload"
STAGE="$PAY/.stage"
TARGET="${ARRAX_DEVICE_TARGET:-target-device}"
VERSION=0.1.0-SNAPSHOT
CUDF_VERSION=26.08.1
PART_BYTES=$((58 * 1024 * 1024))
SO=amd64/Linux/libcudf.so

rm -rf "$PAY"
mkdir -p "$STAGE/app/lib" "$PAY/call-01"

echo "prepare: building engine, gpu-rapids (with test classes) and examples into $TARGET ..." >&2
MVN=(-q -pl gpu-rapids,examples -am install -DskipTests -Darrax.target="$TARGET" -Dcudf.classifier="$CLASSIFIER")
mvn -o "${MVN[@]}" || mvn "${MVN[@]}"
CPFILE="$STAGE/gpu-rapids.classpath"
DEP=(-q -pl gpu-rapids dependency:build-classpath -Darrax.target="$TARGET" -Dmdep.includeScope=test -Dmdep.outputFile="$CPFILE")
mvn -o "${DEP[@]}" || mvn "${DEP[@]}"

# Jars the host runs: gpu-rapids' test classpath without cuDF (which travels apart), plus the module jars.
tr ':' '\n' < "$CPFILE" | while IFS= read -r entry || [ -n "$entry" ]; do
  case "$entry" in
    ""|*/ai/rapids/cudf/*) ;;
    *.jar) cp "$entry" "$STAGE/app/lib/" ;;
    *) echo "prepare: unexpected classpath entry $entry" >&2; exit 1 ;;
  esac
done
cp "gpu-rapids/$TARGET/arrax-gpu-rapids-$VERSION.jar" "$STAGE/app/lib/"
jar cf "$STAGE/app/lib/arrax-gpu-rapids-tests.jar" -C "gpu-rapids/$TARGET/test-classes" .
jar cf "$STAGE/app/lib/arrax-examples.jar" -C "examples/$TARGET/classes" .
(cd "$STAGE" && tar czf "$PAY/call-01/app.tgz" app)

echo "prepare: jlink runtime ..." >&2
# jdk.zipfs: JUnit's launcher scans jars through the zip file system.
jlink --add-modules java.base,java.logging,jdk.unsupported,java.management,java.naming,java.sql,jdk.incubator.vector,jdk.zipfs \
  --strip-debug --no-header-files --no-man-pages --compress=2 --output "$STAGE/jre"
(cd "$STAGE" && tar czf "$PAY/call-01/jre.tgz" jre)

CUDF_JAR="$HOME/.m2/repository/ai/rapids/cudf/$CUDF_VERSION/cudf-$CUDF_VERSION-$CLASSIFIER.jar"
if [ ! -f "$CUDF_JAR" ]; then
  echo "prepare: fetching ai.rapids:cudf:$CUDF_VERSION:$CLASSIFIER with Maven ..." >&2
  mvn -q dependency:get -Dartifact="ai.rapids:cudf:$CUDF_VERSION:jar:$CLASSIFIER" -Dtransitive=false
fi
CACHE="$HOME/.cache/arrax-device"
mkdir -p "$CACHE"
KEY="$CLASSIFIER-$(sha256sum "$CUDF_JAR" | cut -c1-16)"
if [ ! -f "$CACHE/libcudf-$KEY.so.xz" ] || [ ! -f "$CACHE/libcudf-$KEY.so.sha256" ]; then
  echo "prepare: xz-compressing $SO of the $CLASSIFIER jar (a few minutes, cached) ..." >&2
  unzip -p "$CUDF_JAR" "$SO" | sha256sum | cut -d' ' -f1 > "$CACHE/libcudf-$KEY.so.sha256"
  unzip -p "$CUDF_JAR" "$SO" | xz -T0 -6 > "$CACHE/libcudf-$KEY.so.xz.tmp"
  mv "$CACHE/libcudf-$KEY.so.xz.tmp" "$CACHE/libcudf-$KEY.so.xz"
fi
python3 - "$CUDF_JAR" "$PAY/call-01/cudf-slim.jar" "$SO" <<'PY'
import sys, zipfile
src, dst, so = sys.argv[1:4]
with zipfile.ZipFile(src) as i, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as o:
    for info in i.infolist():
        if info.filename != so:
            o.writestr(info, i.read(info.filename))
PY
split -b "$PART_BYTES" -d -a 2 "$CACHE/libcudf-$KEY.so.xz" "$STAGE/libcudf.so.xz.part-"
PARTS=0
for p in "$STAGE"/libcudf.so.xz.part-*; do
  PARTS=$((PARTS + 1))
  d="$PAY/$(printf 'call-%02d' $((PARTS + 1)))"
  mkdir -p "$d"
  mv "$p" "$d/"
done

{
  echo "classifier $CLASSIFIER"
  echo "cudf_version $CUDF_VERSION"
  echo "so_entry $SO"
  echo "so_parts $PARTS"
  echo "so_sha256 $(cat "$CACHE/libcudf-$KEY.so.sha256")"
  (cd "$PAY" && sha256sum call-01/app.tgz call-01/jre.tgz call-01/cudf-slim.jar call-*/libcudf.so.xz.part-* | sed 's/^/file /')
} > "$PAY/call-01/manifest.txt"
rm -rf "$STAGE"

echo
echo "prepare: payload ready ($(du -sh "$PAY" | cut -f1)); one device call per folder, back to back (a machine stays warm ~30 s):"
for d in "$PAY"/call-*; do
  echo "  $(basename "$d")  $(du -sh "$d" | cut -f1)"
done
cat <<EOT

Device calls (gpu-rapids/device/README.md), each with carry=["gpu-rapids/device/payload/<call-NN>"]:
  call-01:             bash gpu-rapids/device/receive.sh                 (prints the driver and the classifier to use)
  call-02..call-$(printf '%02d' $((PARTS + 1))):  bash gpu-rapids/device/receive.sh
  then, no carry:      bash gpu-rapids/device/run.sh                     (timeout_s 600)
EOT
