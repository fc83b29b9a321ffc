#!/bin/sh
# Runs each unit-test binary under a time limit and adds up their counts.
# Prints the closing line 'N passed, N failed' and fails if any test failed.
passed=0
failed=0
for bin in "$@"; do
    out=$(timeout 120 "$bin" 2>&1)
    rc=$?
    printf '%s\n' "$out" | grep -v '^unit: ' 
    line=$(printf '%s\n' "$out" | grep '^unit: ' | tail -n 1)
    p=$(printf '%s' "$line" | sed -n 's/^unit: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
    f=$(printf '%s' "$line" | sed -n 's/^unit: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
    if [ -z "$p" ]; then
        echo "FAIL $bin: exited $rc without a result line"
        failed=$((failed + 1))
        continue
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    [ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || { echo "FAIL $bin: exited $rc"; failed=$((failed + 1)); }
done
echo "unit tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
