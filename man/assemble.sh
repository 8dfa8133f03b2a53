#!/bin/sh
# Builds man/escdb.1 from man/escdb.1.in and the command sections in
# man/parts/*.mdoc (in the order listed below, then any others).  A line
# "@SYNOPSIS CMD@" becomes the synopsis escdb prints from CMD's option
# table (escdb CMD --synopsis): $ESCDB, default ../escdb (make it first).
# OUT=FILE writes FILE instead of man/escdb.1 (tests compare without
# touching the tree).
out=${OUT:-escdb.1}
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
[ -n "$OUT" ] || out=$(cd "$(dirname "$0")" && pwd)/escdb.1
cd "$(dirname "$0")" || exit 1
ESCDB=${ESCDB:-../escdb}
[ -x "$ESCDB" ] || { echo "assemble.sh: build $ESCDB first (make)" >&2; exit 1; }
order="diff grep sql trend hot logopt"
list=""
for p in $order; do [ -f "parts/$p.mdoc" ] && list="$list parts/$p.mdoc"; done
for f in parts/*.mdoc; do
	[ -f "$f" ] || continue
	b=$(basename "$f" .mdoc)
	case " $order " in *" $b "*) ;; *) list="$list $f" ;; esac
done
expand() {
	while IFS= read -r line; do
		case $line in
		@SYNOPSIS\ *@)
			c=${line#@SYNOPSIS }
			"$ESCDB" "${c%@}" --synopsis || exit 1 ;;
		*) printf '%s\n' "$line" ;;
		esac
	done
}
while IFS= read -r line; do
	if [ "$line" = "@PARTS@" ]; then
		for f in $list; do expand <"$f"; done
	else
		printf '%s\n' "$line" | expand
	fi
done <escdb.1.in >"$out.tmp.$$" && mv "$out.tmp.$$" "$out"
