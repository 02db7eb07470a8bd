#!/usr/bin/env bash
# Rebuild docs/*.txt from the Kaggle transcription fields kept in make/raw/ (copied verbatim from the CSV,
# CSV quoting removed), and re-run the renderer check against the dev set's bone-scan document.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); OUT="$HERE/../docs"; mkdir -p "$OUT"
for f in "$HERE"/raw/[WX]*.kaggle_field.txt; do
  n=$(basename "$f" .kaggle_field.txt); python3 "$HERE/render_kaggle.py" "$f" > "$OUT/$n.txt"
done
DEV=/work/shared/data/real_records_dev/docs/a_bone_scan_report.txt
if [ -f "$DEV" ]; then
  diff <(grep -v '^$' "$DEV") <(python3 "$HERE/render_kaggle.py" "$HERE/raw/check_whole_body_bone_scan.kaggle_field.txt") \
    && echo "renderer check: Kaggle field of 'Whole Body Radionuclide Bone Scan' renders to the dev set's site text (blank lines aside)"
fi
ls -l "$OUT"
