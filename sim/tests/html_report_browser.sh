#!/bin/sh
# The HTML report in a real browser: headless Chromium loads the AB-BA
# deadlock page from disk (written by sim_tests' html report test), runs its
# script, and this checks the DOM it dumps: the script ran (data-ready), the
# cycle's two fibers are named in the wait-for graph, the timeline has one
# row per fiber (main, ab, ba) and one for the scheduler. Then it takes a
# screenshot (html_report_abba.png in the build folder) for a person to look at.
#
#   html_report_browser.sh SIM_TESTS OUT_DIR
# Exit 0: passed; 1: failed (saying what); 77: Chromium missing (ctest SKIP).
set -u
sim_tests=$1 out=$2
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "SKIP: chromium not found (Debian package chromium; tools/dev installs it)"
  exit 77
fi
page=$out/html_report_abba.html
dom=$out/html_report_abba.dom.html
rm -f "$page" "$dom"
LOCKSTEP_HTML_REPORT=$page "$sim_tests" "html report: an AB-BA deadlock page names the cycle\\, one timeline row per fiber" >/dev/null ||
  { echo "FAIL: sim_tests did not write the page"; exit 1; }
flags="--headless --no-sandbox --disable-gpu --hide-scrollbars --allow-file-access-from-files"
# shellcheck disable=SC2086  # flags is a list
timeout 60 "$browser" $flags --dump-dom "file://$page" >"$dom" 2>/dev/null ||
  { echo "FAIL: chromium --dump-dom failed"; exit 1; }
fail=0
expect() {  # expect COUNT TEXT: TEXT occurs COUNT times in the DOM
  n=$(grep -oF -- "$2" "$dom" | wc -l)
  if [ "$n" -ne "$1" ]; then echo "FAIL: expected $1 of '$2' in the DOM, found $n"; fail=1; fi
}
expect 1 '<body data-ready="1">'
expect 2 '<g class="node fiber cycle">'
expect 1 '>fiber 2 "ab"</text>'
expect 1 '>fiber 3 "ba&lt;/script&gt;&lt;b x='"'"'1'"'"'&gt;&amp;"</text>'
expect 3 'class="fiber-row"'
expect 1 'class="scheduler-row"'
expect 1 '<span class="verdict" id="verdict">deadlock</span>'
# shellcheck disable=SC2086
timeout 60 "$browser" $flags --window-size=1280,900 --screenshot="$out/html_report_abba.png" "file://$page" >/dev/null 2>&1
[ -s "$out/html_report_abba.png" ] || { echo "FAIL: no screenshot"; fail=1; }
[ "$fail" -eq 0 ] && echo "passed: the DOM has the cycle and one row per fiber; screenshot $out/html_report_abba.png"
exit "$fail"
