#!/usr/bin/env bash
# Renders every SVG in a folder (default: nn-output) to PNG next to it, so a person can
# look at the plots. Uses rsvg-convert from Debian's librsvg2-bin (installed when possible).
#   bash Tests/Plots/render-png.sh [FOLDER]
set -euo pipefail
folder="${1:-nn-output}"
if ! command -v rsvg-convert >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get install -y -q librsvg2-bin >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q librsvg2-bin >/dev/null 2>&1; }
    fi
fi
command -v rsvg-convert >/dev/null 2>&1 || { echo "rsvg-convert is not available (apt-get install librsvg2-bin)"; exit 1; }
count=0
for svg in "$folder"/*.svg; do
    [ -e "$svg" ] || continue
    rsvg-convert "$svg" -o "${svg%.svg}.png"
    count=$((count + 1))
done
echo "rendered $count plots in $folder to PNG"
