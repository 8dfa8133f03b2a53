#!/bin/sh
# The report page, on the demo history with long package names and a gap
# week (testdata/history.sh, HISTORY_LONG=1): it parses; every line and
# sparkline path draws (L commands, not M alone), across the gap; full
# package names with the whole name on hover; the legend outside the
# plot; a by-cause chart; a dark style; no file:// links; positions link
# relative to the page, or to --link-base with {commit} replaced.
. tests/lib.sh
command -v go >/dev/null 2>&1 && command -v git >/dev/null 2>&1 ||
    { ok "html: skipped (no go or git) # SKIP"; exit 0; }
DB=$T/h.db
if ! HISTORY_LONG=1 ESCDB=$ESCDB HISTORY_DB=$DB sh testdata/history.sh "$T/rel.html" >"$T/hist.txt" 2>"$T/hist.err"; then
	notok "html: history.sh (long names)"; sed 's/^/#   /' "$T/hist.err" | head -20; exit 0
fi
"$ESCDB" --db "$DB" trend --format html --link-base 'https://code.example/ORG/REPO/blob/{commit}/' -o "$T/abs.html"
check_eq "html: --link-base exits 0" $? 0
LATEST=$(sq "$DB" "SELECT commit_id FROM run ORDER BY date DESC, id DESC LIMIT 1")
PKGS=$(sq "$DB" "SELECT group_concat(s.s, ' ') FROM package p JOIN str s ON s.id = p.name WHERE p.run = (SELECT max(id) FROM run)")

cat >"$T/check.py" <<'PY'
import re, sys
from html.parser import HTMLParser

page, mode, latest, pkgs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split()
text = open(page, encoding="utf-8").read()
VOID = {"meta", "wbr", "br", "link"}

class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors = [], []
        self.paths, self.hrefs, self.cards, self.svgtitles = [], [], [], []
        self.legend_before_svg = []
        self.in_card_title = None
        self.in_svg_title = None
        self.svg_depth = 0
        self.prev_legend = False
        self.gaps = 0
        self.charts = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag not in VOID:
            self.stack.append(tag)
        cls = a.get("class", "")
        if tag == "svg":
            self.svg_depth += 1
            if "chart" in cls.split():
                self.charts.append((a.get("aria-label"), self.prev_legend))
        if tag == "path":
            self.paths.append((cls, a.get("d", "")))
        if tag == "a":
            self.hrefs.append(a.get("href", ""))
        if tag == "div" and cls == "t":
            self.in_card_title = [a.get("title"), ""]
        if tag == "title" and self.svg_depth:
            self.in_svg_title = ""
        if tag == "rect" and "gap" in cls.split():
            self.gaps += 1
        if tag == "div":
            self.prev_legend = cls == "legend"
        elif tag not in ("span", "i", "svg"):
            self.prev_legend = False
    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()
    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("unbalanced </%s> (open: %s)" % (tag, self.stack[-3:]))
            return
        self.stack.pop()
        if tag == "svg":
            self.svg_depth -= 1
        if tag == "div" and self.in_card_title is not None:
            self.cards.append(tuple(self.in_card_title))
            self.in_card_title = None
        if tag == "title" and self.in_svg_title is not None:
            self.svgtitles.append(self.in_svg_title)
            self.in_svg_title = None
    def handle_data(self, d):
        if self.in_card_title is not None:
            self.in_card_title[1] += d
        if self.in_svg_title is not None:
            self.in_svg_title += d

p = P()
p.feed(text)
p.close()
err = p.errors
if p.stack:
    err.append("unclosed %s" % p.stack)
# every path draws: at least one L or C after its M
for cls, d in p.paths:
    if not re.search(r"[LC]\s*-?\d", d):
        err.append("path %r draws nothing: %r" % (cls, d))
sparks = [d for cls, d in p.paths if "s-spark" in cls.split()]
if len(sparks) != len(pkgs):
    err.append("%d sparklines for %d packages" % (len(sparks), len(pkgs)))
lines = [d for cls, d in p.paths if "s-heap" in cls.split() or "s-moved" in cls.split()]
if len(lines) != 2:
    err.append("weekly chart: %d lines" % len(lines))
# the history has 6 weeks with runs around a gap: each line has 6 points
for d in lines + sparks:
    if len(re.findall(r"[ML]", d)) != 6:
        err.append("line without a point per week with a run: %r" % d)
if p.gaps < 1:
    err.append("no gap week shaded")
# full names: card title text (tags stripped) and hover title, svg <title>
for title, shown in p.cards:
    if title not in pkgs or shown != title:
        err.append("card name %r shown as %r" % (title, shown))
if sorted(t for t, _ in p.cards) != sorted(pkgs):
    err.append("cards %r, packages %r" % (p.cards, pkgs))
for name in pkgs:
    if name not in p.svgtitles:
        err.append("no svg <title> with %s" % name)
# legends outside the plots: each chart svg right after a legend div
labels = dict(p.charts)
for want in ("heap and moved findings per week", "findings by cause"):
    if want not in labels:
        err.append("no chart %r" % want)
    elif not labels[want]:
        err.append("chart %r has no legend before it" % want)
if re.search(r"<svg[^>]*>(?:(?!</svg>).)*(heap \(escapes to heap\))", text, re.S):
    err.append("the legend is inside the plot")
if "@media (prefers-color-scheme:dark)" not in text:
    err.append("no dark style")
if "file:" in text:
    err.append("a file: link")
pos = [h for h in p.hrefs if "#L" in h]
if not pos:
    err.append("no position links")
for h in pos:
    if mode == "rel":
        if not re.fullmatch(r"internal/collectors/(cache|shapes)/\w+\.go#L\d+", h):
            err.append("relative link %r" % h)
    else:
        want = "https://code.example/ORG/REPO/blob/%s/internal/collectors/" % latest
        if not h.startswith(want) or "{commit}" in h:
            err.append("link-base link %r (want %s...)" % (h, want))
for e in err:
    print(e)
sys.exit(1 if err else 0)
PY
check "html: relative links, page parsed and drawn" python3 "$T/check.py" "$T/rel.html" rel "$LATEST" "$PKGS"
check "html: --link-base links, page parsed and drawn" python3 "$T/check.py" "$T/abs.html" abs "$LATEST" "$PKGS"
case $PKGS in *telemetry-platform-exporters/internal/collectors/cache*) ok "html: the history has long package names" ;;
*) notok "html: the history has long package names ($PKGS)" ;; esac

# a name past 90 characters is elided in the middle, whole on hover
LONG=example.com/$(printf 'segment%02d/' 1 2 3 4 5 6 7 8 9 10 11 12)leaf
{ echo "# $LONG"; echo "./a.go:3:6: moved to heap: x"; } >"$T/long.log"
"$ESCDB" --db "$T/l.db" ingest --go-version go1.26.8 --date 2026-01-05 --package "$LONG" "$T/long.log" >/dev/null 2>&1
{ echo "# $LONG"; echo "./a.go:3:6: moved to heap: x"; echo "./a.go:4:6: moved to heap: y"; } >"$T/long2.log"
"$ESCDB" --db "$T/l.db" ingest --go-version go1.26.8 --date 2026-01-20 --package "$LONG" "$T/long2.log" >/dev/null 2>&1
"$ESCDB" --db "$T/l.db" trend --format html -o "$T/long.html" 2>/dev/null
grep -q "title=\"$LONG\"" "$T/long.html" && ok "html: a long name keeps its full title" || notok "html: a long name keeps its full title"
grep -q '&#8230;<wbr>' "$T/long.html" && ok "html: a name past 90 characters is middle-elided" || notok "html: a name past 90 characters is middle-elided"
grep -q 'leaf</div>' "$T/long.html" && ok "html: the elided name keeps its last element" || notok "html: the elided name keeps its last element"
