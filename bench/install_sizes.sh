#!/usr/bin/env bash
# Installed size of perm-reward's base install and of each extra, each in a fresh venv
# (du of site-packages; an empty venv's own pip + setuptools are reported as the first row).
# torch-based extras are measured with the CPU build (constraints.txt); a CUDA build of torch
# adds several GB. [vllm] is not measured (GPU-only, pulls its own CUDA torch).
#
#   bash bench/install_sizes.sh [EXTRA ...]      # default: base local server eval parquet hf train all
#
# Prints a Markdown table row per install: name | MiB | seconds (wall time of pip, warm cache).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m pip wheel -q --no-deps "$here" -w "$work/dist" >/dev/null
wheel=$(ls "$work"/dist/perm_reward-*.whl)
extras=("$@")
[ ${#extras[@]} -gt 0 ] || extras=(base local server eval parquet hf train all)

size() { du -sm "$1"/lib/python3*/site-packages | cut -f1; }

python3 -m venv "$work/empty"
echo "| install | site-packages (MiB) | pip wall time (s) |"
echo "|---|---:|---:|"
echo "| (empty venv: pip, setuptools) | $(size "$work/empty") | - |"
for extra in "${extras[@]}"; do
  venv="$work/v-$extra"
  python3 -m venv "$venv"
  spec="$wheel"
  label="perm-reward"
  if [ "$extra" != base ]; then spec="$wheel[$extra]"; label="perm-reward[$extra]"; fi
  start=$(date +%s.%N)
  "$venv/bin/pip" install -q -c "$here/constraints.txt" "$spec" >/dev/null 2>&1 \
    || { echo "| $label | install failed | - |"; continue; }
  end=$(date +%s.%N)
  printf '| %s | %s | %.0f |\n' "$label" "$(size "$venv")" "$(echo "$end - $start" | bc)"
  rm -rf "$venv"
done
