#!/usr/bin/env bash
# Rebuilds the repositories of the robustness corpus (../shared/corpus, whose
# files are flattened per format) into DIR, one directory per repository with
# every file back at its path, so that includes resolve and the proxy and the
# app of one project meet in one workspace. Earlier versions of a file
# (historical blobs) are left out: the newest one stands at the path.
#
#   scripts/corpus-repos.sh DIR [CORPUS]
#   mtlslint audit --depth 1 --format jsonl DIR > results.jsonl
#
# Exits 0 without doing anything when the corpus is absent.
set -euo pipefail
out=${1:?usage: $0 DIR [CORPUS]}
corpus=${2:-$(cd "$(dirname "$0")/.." && pwd)/../shared/corpus}
if [ ! -d "$corpus" ]; then
  echo "corpus not found at $corpus; nothing to do" >&2
  exit 0
fi
mkdir -p "$out"
n=0
for tsv in "$corpus"/*/SOURCES.tsv; do
  dir=$(dirname "$tsv")
  # Columns: repo, commit, path in repo, saved as, licence[, notes].
  while IFS=$'\t' read -r repo commit path saved _; do
    [ "$repo" = repo ] && continue
    [ -n "$saved" ] && [ -f "$dir/$saved" ] || continue
    case "$saved" in *__v[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]*) continue ;; esac
    case "$path" in /*|*..*) continue ;; esac # stay inside the repository
    dest="$out/${repo//\//__}/$path"
    mkdir -p "$(dirname "$dest")"
    cp "$dir/$saved" "$dest"
    n=$((n + 1))
  done < "$tsv"
done
echo "$n files into $(ls "$out" | wc -l) repositories under $out" >&2
