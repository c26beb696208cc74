#!/bin/sh
# Measures the real command: check on the corpus (hyperfine, whole process)
# and on a generated 10,000-file repository, and audit over 100, 1,000 and
# 10,000 generated repositories (wall time and peak RSS from GNU time).
#
#   internal/bench/measure.sh [WORKDIR]
#
# WORKDIR (default /tmp/mtlslint-measure) keeps the binaries and the
# generated inputs between runs. Needs hyperfine and /usr/bin/time; the
# corpus is $MTLSLINT_CORPUS or /work/shared/corpus.
set -eu
cd "$(dirname "$0")/../.."
work=${1:-/tmp/mtlslint-measure}
corpus=${MTLSLINT_CORPUS:-/work/shared/corpus}
mkdir -p "$work"
go build -o "$work/mtlslint" ./cmd/mtlslint
go build -o "$work/genorg" ./internal/gen/genorg
bin="$work/mtlslint"

echo "== machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(go version)"

if [ -d "$corpus" ]; then
	for d in "$corpus/nginx" "$corpus"; do
		echo "== check $d: $(find "$d" -type f | wc -l) files, $(du -sk "$d" | cut -f1) KiB"
		hyperfine -N -i -w 5 -r 40 --style basic \
			"$bin check --isolated --format json --output /dev/null $d" 2>&1 | grep -E 'Time|Range'
	done
fi

if [ ! -d "$work/mono" ]; then
	"$work/genorg" -monorepo 10000 -out "$work/mono" >/dev/null
fi
# Rules whose cost grows faster than linearly with the services of one
# workspace (see bench_test.go); measured separately below.
slow=X,G001,G004,T001,T002
echo "== check generated monorepo (--ignore $slow): $(find "$work/mono" -type f | wc -l) files, $(du -sk "$work/mono" | cut -f1) KiB"
hyperfine -N -i -w 1 -r 5 --style basic \
	"$bin check --isolated --ignore $slow --format json --output /dev/null $work/mono" 2>&1 | grep -E 'Time|Range'
/usr/bin/time -f 'peak RSS %M KiB' "$bin" check --isolated --ignore $slow --format json --output /dev/null "$work/mono" 2>&1 | tail -1 || true

echo "== check generated monorepos with every rule: files, wall s, peak RSS MiB"
for n in 250 500 1000; do
	if [ ! -d "$work/mono-$n" ]; then
		"$work/genorg" -monorepo "$n" -out "$work/mono-$n" >/dev/null
	fi
	# (exit code 1: findings; GNU time then writes a line about it first)
	/usr/bin/time -f "%e %M" -o "$work/time.txt" "$bin" check --isolated --format json --output /dev/null "$work/mono-$n" || true
	read -r wall rss <<EOF
$(tail -n 1 "$work/time.txt")
EOF
	awk -v n="$n" -v w="$wall" -v r="$rss" 'BEGIN { printf "%6d %7.2f %7.1f\n", n, w, r / 1024 }'
done

echo "== audit (jobs = $(nproc)): repositories, wall s, user s, sys s, repos/s, peak RSS MiB, ms/repo"
for n in 100 1000 10000; do
	if [ ! -d "$work/org-$n" ]; then
		"$work/genorg" -n "$n" -out "$work/org-$n" >/dev/null
	fi
	for run in 1 2 3; do
		/usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" \
			"$bin" audit --depth 1 --quiet --format jsonl -o "$work/audit-$n.jsonl" "$work/org-$n"
		read -r wall user sys rss <"$work/time.txt"
		awk -v n="$n" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" \
			'BEGIN { printf "%6d %7.2f %7.2f %6.2f %8.1f %7.1f %6.2f\n", n, w, u, s, n / w, r / 1024, 1000 * w / n }'
	done
done
