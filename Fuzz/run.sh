#!/usr/bin/env bash
# Builds the libFuzzer binary and fuzzes each target for FUZZ_SECONDS (default 60), then prints a
# summary table; exits 1 when any target crashed, trapped, hit a sanitizer report, timed out or
# ran out of memory. Called by `make fuzz`; see Fuzz/README.md.
#   FUZZ_SECONDS=600 Fuzz/run.sh          FUZZ_TARGETS="npy png" Fuzz/run.sh
# Everything it writes goes under .build-fuzz/: the binary, a working corpus per target (new
# inputs libFuzzer finds; the committed Fuzz/corpus/TARGET and Fuzz/regressions/TARGET are only
# read), the logs and artifacts/TARGET/crash-* (also timeout-*, oom-*, leak-*).
set -uo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
scratch=.build-fuzz
binary=$scratch/release/fuzz

# -O keeps bounds and overflow checks on whatever the package's release flags say (a wrapped
# size is a finding); Extern lets Fuzz/Sources/Entry.swift call libFuzzer's driver.
mkdir -p "$scratch/logs"
echo "fuzz: building $binary (log: $scratch/logs/build.log)"
if ! swift build -c release --scratch-path "$scratch" --product fuzz \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DFUZZING \
        -Xswiftc -enable-experimental-feature -Xswiftc Extern -Xswiftc -O >"$scratch/logs/build.log" 2>&1; then
    grep -E 'error:' "$scratch/logs/build.log" | sort -u | head -20 >&2
    echo "fuzz: the build failed; see $scratch/logs/build.log" >&2
    exit 2
fi

# The Swift runtime's own crash reporter would race libFuzzer's handlers; ASan and libFuzzer report.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:handle_abort=1}

available=$(BETAVAE_FUZZ_TARGET=list "$binary") || exit 2
targets=${FUZZ_TARGETS:-$available}
for t in $targets; do
    grep -qx "$t" <<<"$available" || { echo "fuzz: unknown target '$t' (have: $(echo $available))" >&2; exit 2; }
    [ -d "Fuzz/corpus/$t" ] || { echo "fuzz: no seed corpus Fuzz/corpus/$t (python3 Fuzz/make_corpus.py writes it)" >&2; exit 2; }
done

# Longest input per target: a little above the largest seed, small enough to keep exec/s high.
max_len() {
    case $1 in
        png|npz|safetensors|checkpoint|evaluation) echo 8192 ;;
        *) echo 4096 ;;
    esac
}

# A number from libFuzzer's last status line (`#N  DONE cov: C ft: F corp: K/...`) or final stats.
last_status() { grep -E '^#[0-9]+[[:space:]].* cov: ' "$2" | tail -1 | grep -oE " $1: [0-9]+" | grep -oE '[0-9]+$'; }
final_stat() { grep -m1 "^stat::$1:" "$2" | grep -oE '[0-9]+$'; }

failed=0
rows=()
for t in $targets; do
    work=$scratch/corpus/$t
    artifacts=$scratch/artifacts/$t
    log=$scratch/logs/$t.log
    mkdir -p "$work" "$artifacts"
    dict=()
    [ -f "Fuzz/dict/$t.dict" ] && dict=(-dict="Fuzz/dict/$t.dict")
    seeds=("Fuzz/corpus/$t")
    [ -d "Fuzz/regressions/$t" ] && seeds+=("Fuzz/regressions/$t")   # past findings, read at start-up
    echo "fuzz: $t for ${seconds} s (log: $log)"
    # libhdf5 and libmatio size some allocations from the file and check malloc's result; ASan's
    # default would report a 2^63-byte request as a crash where the real allocator returns NULL
    # and the library fails cleanly (replayed without sanitizers: one error line). Those two
    # targets run with malloc's real contract.
    asan=$ASAN_OPTIONS
    # libhdf5 1.10.8 also leaks a few hundred bytes inside H5Fopen on some corrupt files (no handle
    # reaches betavae, which exits after its one-line error); leak checks stay on for every other target.
    case $t in hdf5|mat) asan=$asan:allocator_may_return_null=1 ;; esac
    [ "$t" = hdf5 ] && asan=$asan:detect_leaks=0
    ASAN_OPTIONS=$asan BETAVAE_FUZZ_TARGET=$t "$binary" -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=4096 \
        -timeout=10 -max_len="$(max_len "$t")" -artifact_prefix="$artifacts/" "${dict[@]}" \
        "$work" "${seeds[@]}" >"$log" 2>&1
    code=$?
    finding=$(grep -o 'Test unit written to .*' "$log" | tail -1 | sed 's/^Test unit written to //')
    if [ $code -eq 0 ] && [ -z "$finding" ]; then
        result=ok
    else
        result=FAIL
        failed=1
        echo "fuzz: $t FAILED (exit $code)${finding:+: $finding}"
        grep -m1 -E '^SUMMARY|^==[0-9]+== ?ERROR' "$log" | sed 's/^/  /'
        grep -m1 -oE 'Swift runtime failure: [^/]*' "$log" | sed 's/^/  /'
        # The first frames in the package's own sources, demangled; the whole trace is in the log.
        grep -E '^ +#[0-9]+ ' "$log" | grep -F "$PWD/Sources/" | head -6 | swift demangle --simplified | sed 's/^ */  /'
        [ -n "$finding" ] || tail -3 "$log" | sed 's/^/  /'
    fi
    rows+=("$t|$result|$(final_stat number_of_executed_units "$log")|$(final_stat average_exec_per_sec "$log")|$(last_status cov "$log")|$(last_status ft "$log")|$(last_status corp "$log")|$finding")
done

echo
printf '%-12s %-6s %12s %8s %7s %7s %7s  %s\n' target result executions exec/s cov ft corpus finding
for row in "${rows[@]}"; do
    IFS='|' read -r t result execs rate cov ft corp finding <<<"$row"
    printf '%-12s %-6s %12s %8s %7s %7s %7s  %s\n' "$t" "$result" "${execs:--}" "${rate:--}" "${cov:--}" "${ft:--}" "${corp:--}" "${finding:--}"
done
exit $failed
