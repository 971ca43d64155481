#!/usr/bin/env bash
# Compiles every ```swift block of README.md and Docs/*.md against the library (Docs/README of
# this check: Docs/GettingStarted.md, "Snippets are code"). Run from anywhere; .ci/run runs it.
#
# The word after `swift` on the opening fence says what a block is (GitHub highlights by the
# first word only, so readers see plain Swift):
#   ```swift             a whole program: compiled alone, as the main file of its own module.
#   ```swift continued   continues the previous block of the same document: the two (or more)
#                        are compiled as one program (a guide that builds a model, then trains it).
#   ```swift fragment    code that leans on the surrounding text: compiled alone after
#                        `import Foundation` and `import Tapegrad` (the whole library).
#   ```swift tests       code from the test suite (Docs/Reliability.md's OpInfo rows): compiled as
#                        a fragment that also sees the NNTests module (`@testable import NNTests`).
#   ```swift manifest    a Package.swift: the manifest is evaluated with this repository as the
#                        dependency (its `.package(url: …tapegrad.git…)` is replaced by a path to a
#                        copy named `tapegrad`, as a clone would be) and its package graph loaded,
#                        which checks the product and package names.
# Any other word fails the check: nothing is skipped. Programs compile in Swift 6 mode, as a user's
# package with tools version 6 does; `swiftc -c` runs the type checker and the mandatory SIL
# passes (definite initialization, missing returns), without linking.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

swift build --build-tests 2>&1 | grep -E 'error|warning: ' || true
bin="$(swift build --show-bin-path)"
modules="$bin/Modules"
[ -d "$modules" ] || modules="$bin"

# Split the documents into blocks: $work/blocks/NNNN.swift and one index line per block,
# "NNNN<TAB>file<TAB>line<TAB>kind".
mkdir -p "$work/blocks"
: >"$work/index"
n=0
for doc in README.md Docs/*.md; do
    n=$(awk -v doc="$doc" -v dir="$work/blocks" -v n="$n" -v index_file="$work/index" '
        /^```swift/ && !inside {
            inside = 1; n++; kind = $2; if (kind == "") kind = "program"
            file = sprintf("%s/%04d.swift", dir, n)
            printf "" > file
            printf "%04d\t%s\t%d\t%s\n", n, doc, NR, kind >> index_file
            next
        }
        /^```/ && inside { inside = 0; close(file); next }
        inside { print >> file }
        END {
            if (inside) { printf "%s:%d: a ```swift block is never closed\n", doc, NR > "/dev/stderr"; exit 1 }
            print n
        }' "$doc")
done

total=$(wc -l <"$work/index")
failures=0
programs=0
declare -A kinds=()

fail() {
    echo "doc snippets: $1"
    failures=$((failures + 1))
}

compile() {  # compile DIR: DIR/main.swift, with or without the test modules
    local dir="$1" extra=()
    if [ "${2:-}" = tests ]; then extra=(-enable-testing); fi
    swiftc -swift-version 6 -module-name Snippet -I "$modules" "${extra[@]}" \
        -c "$dir/main.swift" -o "$dir/main.o" >"$dir/log" 2>&1
}

# The manifest check's copy of the repository, named `tapegrad` as a clone of it would be.
manifest_dependency() {
    if [ ! -d "$work/deps/tapegrad" ]; then
        mkdir -p "$work/deps/tapegrad"
        for part in Package.swift Sources Tests Examples Fuzz; do
            cp -R "$part" "$work/deps/tapegrad/"
        done
    fi
}

check_manifest() {  # check_manifest BLOCK LABEL
    local block="$1" label="$2" app="$work/deps/app$programs"
    manifest_dependency
    mkdir -p "$app"
    sed 's#\.package(url: "https://…/tapegrad\.git", branch: "main")#.package(path: "../tapegrad")#' \
        "$block" >"$app/Package.swift"
    if ! grep -q 'swift-tools-version' "$app/Package.swift"; then
        fail "$label: a manifest starts with its // swift-tools-version line"
        return
    fi
    # Each target named in the manifest gets an (empty) source folder, so that the graph loads.
    { tr '\n' ' ' <"$app/Package.swift" | grep -oE '(executableTarget|target)\( *name: "[^"]+"' || true; } |
        sed -E 's/.*"([^"]+)"/\1/' |
        while read -r target; do
            mkdir -p "$app/Sources/$target"
            echo 'print("ok")' >"$app/Sources/$target/main.swift"
        done
    if ! (cd "$app" && swift package show-dependencies >"$app/log" 2>&1 && swift package describe >>"$app/log" 2>&1); then
        fail "$label: the manifest does not load:"
        sed 's/^/    /' "$app/log" | head -20
    fi
}

prev_doc=""
program=""
pending_label=""
pending_kind=""
flush() {  # compile the program collected so far
    [ -n "$program" ] || return 0
    programs=$((programs + 1))
    if ! compile "$program" "$pending_kind"; then
        fail "$pending_label does not compile:"
        grep -E "^$program/main.swift:[0-9]+:[0-9]+: error" "$program/log" | sed "s#$program/main.swift#    main.swift#" | head -10
    fi
    program=""
}

while IFS=$'\t' read -r id doc line kind; do
    block="$work/blocks/$id.swift"
    if [ "$kind" = program ]; then label="$doc:$line"; else label="$doc:$line ($kind)"; fi
    kinds[$kind]=$((${kinds[$kind]:-0} + 1))
    case "$kind" in
    continued)
        if [ -z "$program" ] || [ "$doc" != "$prev_doc" ]; then
            fail "$label: 'continued' but no earlier block of $doc to continue"
        else
            { echo; echo "// $doc:$line"; cat "$block"; } >>"$program/main.swift"
            pending_label="$pending_label + $line"
        fi
        ;;
    program | fragment | tests)
        flush
        program="$work/programs/$id"
        mkdir -p "$program"
        {
            if [ "$kind" != program ]; then echo "import Foundation"; echo "import Tapegrad"; fi
            if [ "$kind" = tests ]; then echo "@testable import NNTests"; echo "import TestSupport"; fi
            echo "// $doc:$line"
            cat "$block"
        } >"$program/main.swift"
        pending_label="$label"
        pending_kind="$kind"
        ;;
    manifest)
        flush
        programs=$((programs + 1))
        check_manifest "$block" "$label"
        ;;
    *)
        flush
        fail "$label: unknown kind '$kind' (program, continued, fragment, tests or manifest)"
        ;;
    esac
    prev_doc="$doc"
done <"$work/index"
flush

summary=""
for kind in "${!kinds[@]}"; do summary+="${summary:+, }${kinds[$kind]} $kind"; done
echo "doc snippets: $total \`\`\`swift blocks in README.md and Docs/*.md ($summary) checked as $programs programs; $failures failed"
[ "$failures" -eq 0 ]
