#!/usr/bin/env bash
# Rendering benchmark: `ips-emulator render` against libvips' command-line
# tools doing the same work on the same real photographs, in the same run.
#
#   bash bench/render.sh
#   ROUNDS=7 COPIES=4 bash bench/render.sh
#
# Photographs (downloaded once into bench/.cache, from Debian packages):
#   - Kleiber_by_Lukas_Baubkus.jpg, 6028x3391 = 20.4 MP baseline JPEG
#     (lomiri-wallpapers-20.04, CC-BY-SA-3.0);
#   - seeding_by_Clements_Engelhardt.jpg, 5312x2988 = 15.9 MP progressive
#     JPEG (lomiri-wallpapers-16.04, CC0-1.0).
# Each is used COPIES times, so each timed command processes 2*COPIES files.
#
# Work, identical on both sides (JPEG quality 85, 4:2:0, metadata dropped):
#   resize: wid=1200          vs  vipsthumbnail --size 1200x (shrink-on-load)
#   crop:   crop=X,Y,1000,1000 (the centre) vs  vips crop (one process per
#           file, as the tool works; vips' start-up is part of its cost)
# Rounds alternate the tools (ours, vips, ours, vips, ...) after a warm-up;
# ratios are taken per round, and the medians are reported. Peak memory is
# the largest maximum resident set size of any process of that tool.
#
# Quality guard: the resize written losslessly (fmt=png) is compared with a
# full-resolution Lanczos3 reduction by `vips resize`; PSNR must be >= 40 dB.
#
# Goals: resize time <= 0.8x libvips', crop time <= 0.6x, peak memory <=
# libvips' in both. Exit status: 0 all goals met, 1 a goal missed, 2 the
# benchmark could not run.

set -euo pipefail

ROUNDS=${ROUNDS:-5}
COPIES=${COPIES:-3}
GOAL_RESIZE=0.80
GOAL_CROP=0.60
GOAL_PSNR=40

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE="$ROOT/bench/.cache"
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN="$TARGET_DIR/release/ips-emulator"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ips-render-bench.XXXXXX")

die() {
    echo "render.sh: $*" >&2
    exit 2
}

if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
need=()
command -v vipsthumbnail >/dev/null 2>&1 || need+=(libvips-tools)
[ -x /usr/bin/time ] || need+=(time)
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v nasm >/dev/null 2>&1 || need+=(nasm)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null || die "apt-get failed"
fi

# ------------------------------------------------------------ photographs --

fetch_photo() {
    local package=$1 file=$2
    [ -f "$CACHE/$file" ] && return 0
    mkdir -p "$CACHE"
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && apt-get download "$package" >/dev/null 2>&1) || die "apt-get download $package failed"
    dpkg -x "$tmp"/*.deb "$tmp/x"
    cp "$tmp/x/usr/share/backgrounds/$file" "$CACHE/$file" || die "$file not in $package"
    rm -rf "$tmp"
}
fetch_photo lomiri-wallpapers-20.04 Kleiber_by_Lukas_Baubkus.jpg
fetch_photo lomiri-wallpapers-16.04 seeding_by_Clements_Engelhardt.jpg

mkdir -p "$WORK/in"
PHOTOS=()
for i in $(seq 1 "$COPIES"); do
    for f in Kleiber_by_Lukas_Baubkus seeding_by_Clements_Engelhardt; do
        ln -s "$CACHE/$f.jpg" "$WORK/in/$f-$i.jpg"
        PHOTOS+=("$WORK/in/$f-$i.jpg")
    done
done

(cd "$ROOT" && cargo build --release --locked --quiet) || die "build failed"

# ------------------------------------------------------------------ tools --

# Runs a command under /usr/bin/time; prints "<wall ms> <max RSS KiB>".
measure() {
    local log="$WORK/time.$$"
    local start end
    start=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$log" "$@" >/dev/null 2>"$WORK/stderr" || {
        cat "$WORK/stderr" >&2
        die "failed: $*"
    }
    end=$(date +%s%N)
    echo "$(((end - start) / 1000000)) $(tail -n 1 "$log")"
}

dims() {
    vipsheader -f width "$1" | tr -d '\n'
    echo -n " "
    vipsheader -f height "$1"
}

# Each "tool" processes every photograph once and prints "<ms> <peak KiB>".
ours_resize() {
    rm -rf "$WORK/ours" && mkdir -p "$WORK/ours"
    measure "$BIN" render --modifier 'wid=1200&qlt=85' --out "$WORK/ours" "${PHOTOS[@]}"
}

vips_resize() {
    rm -rf "$WORK/vips" && mkdir -p "$WORK/vips"
    measure vipsthumbnail --size 1200x -o "$WORK/vips/%s.jpg[Q=85,strip]" "${PHOTOS[@]}"
}

ours_crop() {
    rm -rf "$WORK/ours" && mkdir -p "$WORK/ours"
    local total=0 peak=0 ms kb f w h
    # One process per distinct crop rectangle (the centre differs per photo).
    for f in Kleiber_by_Lukas_Baubkus seeding_by_Clements_Engelhardt; do
        read -r w h < <(dims "$CACHE/$f.jpg")
        read -r ms kb < <(measure "$BIN" render --modifier "crop=$(((w - 1000) / 2)),$(((h - 1000) / 2)),1000,1000&qlt=85" \
            --out "$WORK/ours" "$WORK"/in/"$f"-*.jpg)
        total=$((total + ms))
        ((kb > peak)) && peak=$kb
    done
    echo "$total $peak"
}

vips_crop() {
    rm -rf "$WORK/vips" && mkdir -p "$WORK/vips"
    local total=0 peak=0 ms kb p w h
    for p in "${PHOTOS[@]}"; do
        read -r w h < <(dims "$p")
        read -r ms kb < <(measure vips crop "$p" "$WORK/vips/$(basename "$p")[Q=85,strip]" \
            $(((w - 1000) / 2)) $(((h - 1000) / 2)) 1000 1000)
        total=$((total + ms))
        ((kb > peak)) && peak=$kb
    done
    echo "$total $peak"
}

median() {
    sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# ------------------------------------------------------------- the rounds --

echo "photographs: ${#PHOTOS[@]} files (2 photos x $COPIES); rounds: $ROUNDS (+1 warm-up)"
declare -a R_RESIZE=() R_CROP=() M_OURS_RESIZE=() M_VIPS_RESIZE=() M_OURS_CROP=() M_VIPS_CROP=()
for round in $(seq 0 "$ROUNDS"); do
    read -r a_ms a_kb < <(ours_resize)
    read -r b_ms b_kb < <(vips_resize)
    read -r c_ms c_kb < <(ours_crop)
    read -r d_ms d_kb < <(vips_crop)
    if [ "$round" = 0 ]; then
        echo "warm-up done"
        continue
    fi
    r1=$(awk -v a="$a_ms" -v b="$b_ms" 'BEGIN { printf "%.3f", a / b }')
    r2=$(awk -v a="$c_ms" -v b="$d_ms" 'BEGIN { printf "%.3f", a / b }')
    R_RESIZE+=("$r1")
    R_CROP+=("$r2")
    M_OURS_RESIZE+=("$a_kb")
    M_VIPS_RESIZE+=("$b_kb")
    M_OURS_CROP+=("$c_kb")
    M_VIPS_CROP+=("$d_kb")
    printf 'round %d: resize %5d ms vs %5d ms (%s)   crop %5d ms vs %5d ms (%s)\n' \
        "$round" "$a_ms" "$b_ms" "$r1" "$c_ms" "$d_ms" "$r2"
done

max_of() { printf '%s\n' "$@" | sort -n | tail -n 1; }
resize_ratio=$(printf '%s\n' "${R_RESIZE[@]}" | median)
crop_ratio=$(printf '%s\n' "${R_CROP[@]}" | median)
ours_resize_mib=$(($(max_of "${M_OURS_RESIZE[@]}") / 1024))
vips_resize_mib=$(($(max_of "${M_VIPS_RESIZE[@]}") / 1024))
ours_crop_mib=$(($(max_of "${M_OURS_CROP[@]}") / 1024))
vips_crop_mib=$(($(max_of "${M_VIPS_CROP[@]}") / 1024))

# ---------------------------------------------------------- quality guard --

big="$CACHE/Kleiber_by_Lukas_Baubkus.jpg"
read -r bw bh < <(dims "$big")
mkdir -p "$WORK/q"
"$BIN" render --modifier 'wid=1200&fmt=png' --out "$WORK/q" "$big"
ours_png="$WORK/q/Kleiber_by_Lukas_Baubkus.png"
read -r ow oh < <(dims "$ours_png")
vips resize "$big" "$WORK/q/reference.png" "$(awk -v w="$ow" -v bw="$bw" 'BEGIN { printf "%.10f", w / bw }')" \
    --vscale "$(awk -v h="$oh" -v bh="$bh" 'BEGIN { printf "%.10f", h / bh }')" --kernel lanczos3
vips subtract "$ours_png" "$WORK/q/reference.png" "$WORK/q/diff.v"
vips multiply "$WORK/q/diff.v" "$WORK/q/diff.v" "$WORK/q/sq.v"
mse=$(vips avg "$WORK/q/sq.v")
psnr=$(awk -v m="$mse" 'BEGIN { if (m <= 0) print 99; else printf "%.1f", 10 * log(255 * 255 / m) / log(10) }')

# ---------------------------------------------------------------- verdict --

verdict=PASS
check() { awk -v v="$1" -v g="$2" -v op="$3" 'BEGIN { exit !(op == "le" ? v <= g : v >= g) }' || verdict=FAIL; }
check "$resize_ratio" "$GOAL_RESIZE" le
check "$crop_ratio" "$GOAL_CROP" le
check "$ours_resize_mib" "$vips_resize_mib" le
check "$ours_crop_mib" "$vips_crop_mib" le
check "$psnr" "$GOAL_PSNR" ge

echo
echo "vips: $(vips --version)"
printf 'resize wid=1200 : time ratio (ours/vipsthumbnail) median %s  (goal <= %s)\n' "$resize_ratio" "$GOAL_RESIZE"
printf 'crop 1000x1000  : time ratio (ours/vips crop)     median %s  (goal <= %s)\n' "$crop_ratio" "$GOAL_CROP"
printf 'peak memory     : resize %d MiB vs %d MiB, crop %d MiB vs %d MiB  (goal: ours <= vips)\n' \
    "$ours_resize_mib" "$vips_resize_mib" "$ours_crop_mib" "$vips_crop_mib"
printf 'quality         : wid=1200 (fmt=png) vs full-resolution Lanczos3: PSNR %s dB  (goal >= %s)\n' "$psnr" "$GOAL_PSNR"
echo "verdict: $verdict   (work files: $WORK)"
[ "$verdict" = PASS ]
