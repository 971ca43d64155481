#!/usr/bin/env bash
# Fuzzes the checkpoint reader and loader with libFuzzer and AddressSanitizer for a bounded time.
#
#   Scripts/fuzz_checkpoint.sh [SECONDS]        (default 60)
#
# Builds Fuzz/CheckpointFuzz with `--sanitize=fuzzer --sanitize=address -DTAPEGRAD_FUZZ` into
# its own scratch directory (.build/fuzz, so the normal build is not invalidated), writes the
# seed corpus (valid checkpoints of the fuzz model) to .build/fuzz-corpus, then runs libFuzzer
# for SECONDS over it. New interesting inputs are added to the corpus directory, so later runs
# continue where this one stopped. A finding stops the run with a non-zero exit and writes the
# input to .build/fuzz-artifacts/; replay it without the fuzzer:
#
#   swift run CheckpointFuzz .build/fuzz-artifacts/crash-…
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
scratch=.build/fuzz
corpus=.build/fuzz-corpus
artifacts=.build/fuzz-artifacts

swift build -c debug --scratch-path "$scratch" --product CheckpointFuzz \
    --sanitize=fuzzer --sanitize=address -Xswiftc -DTAPEGRAD_FUZZ 2>&1 | grep -v ': warning:' | tail -n 3
bin="$(swift build -c debug --scratch-path "$scratch" --show-bin-path \
    --sanitize=fuzzer --sanitize=address -Xswiftc -DTAPEGRAD_FUZZ)/CheckpointFuzz"

# The seed corpus comes from a normal (unsanitized) build of the same target: in that mode
# `--write-corpus` writes the files instead of starting libFuzzer.
swift build -c debug --product CheckpointFuzz 2>&1 | grep -v ': warning:' | tail -n 1
mkdir -p "$corpus" "$artifacts"
"$(swift build -c debug --show-bin-path)/CheckpointFuzz" --write-corpus "$corpus"

# detect_leaks=0: the Swift runtime keeps metadata caches alive for the whole process, which
# LeakSanitizer would report at exit; use-after-free, overflows and the like are still fatal.
ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}" "$bin" "$corpus" \
    -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix="$artifacts/" -print_final_stats=1
