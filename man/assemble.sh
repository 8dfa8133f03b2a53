#!/bin/sh
# Builds man/escdb.1 from man/escdb.1.in and the command sections in
# man/parts/*.mdoc (in the order listed below, then any others).
cd "$(dirname "$0")" || exit 1
order="diff grep sql trend hot logopt"
list=""
for p in $order; do [ -f "parts/$p.mdoc" ] && list="$list parts/$p.mdoc"; done
for f in parts/*.mdoc; do
	[ -f "$f" ] || continue
	b=$(basename "$f" .mdoc)
	case " $order " in *" $b "*) ;; *) list="$list $f" ;; esac
done
while IFS= read -r line; do
	if [ "$line" = "@PARTS@" ]; then
		for f in $list; do cat "$f"; done
	else
		printf '%s\n' "$line"
	fi
done <escdb.1.in >escdb.1
