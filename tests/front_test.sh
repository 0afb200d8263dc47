#!/usr/bin/env bash
# The aip front: tools found beside it and on PATH, --help listing, suggestions, exit codes.
set -euo pipefail
aip=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$work/bin"
cat > "$work/bin/aip-hello" <<'SH'
#!/bin/sh
if [ "$1" = "--describe" ]; then echo "Say hello (a site's own tool)"; exit 0; fi
printf 'hello'; for a in "$@"; do printf ' [%s]' "$a"; done; echo
SH
chmod +x "$work/bin/aip-hello"
export PATH="$work/bin:$PATH"

out=$("$aip" hello 'a b' '$(id)' --flag)
[ "$out" = 'hello [a b] [$(id)] [--flag]' ] || fail "arguments not passed verbatim: $out"

help=$("$aip" --help)
grep -q '^Usage: aip' <<<"$help" || fail "--help lacks the synopsis"
grep -Eq '^  hello +Say hello \(a site.s own tool\)$' <<<"$help" || fail "--help does not list aip-hello: $help"

"$aip" --version | grep -Eq '^aip [0-9]+\.[0-9]+\.[0-9]+$' || fail "--version"

set +e
err=$("$aip" helo 2>&1 >/dev/null); rc=$?
set -e
[ $rc -eq 64 ] || fail "unknown tool exit $rc, expected 64"
grep -q "did you mean 'hello'" <<<"$err" || fail "no suggestion: $err"
grep -q '^aip: error: ' <<<"$err" || fail "diagnostic format: $err"

set +e
"$aip" >/dev/null 2>&1; rc=$?
set -e
[ $rc -eq 64 ] || fail "no arguments exit $rc, expected 64"

set +e
"$aip" --bogus >/dev/null 2>&1; rc=$?
set -e
[ $rc -eq 64 ] || fail "unknown option exit $rc, expected 64"

# NO_COLOR and pipes: no escape sequences in diagnostics.
err=$(NO_COLOR=1 "$aip" nosuchtool 2>&1 || true)
if grep -q $'\033' <<<"$err"; then fail "colour with NO_COLOR"; fi
echo "front: ok"
