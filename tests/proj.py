# Normalised projection of `escdb export` jsonl for tests: drops run,
# commit, key and message; keeps package, file, line, col, func, kind,
# subject, detail, cause and the number of flows and steps.  With
# --flows, keeps only heap/moved/leak findings and their full flow steps
# (for the text/logopt cross-check).  Sorted, one JSON array a line.
import json, sys
full = '--flows' in sys.argv
out = []
for line in sys.stdin:
    d = json.loads(line)
    if full:
        if d['kind'] not in ('heap', 'moved', 'leak', 'leak-result', 'leak-content'):
            continue
        fl = [[f['dst'], f['src'], [[s['expr'], s['reason'], s['pos']] for s in f['steps']]]
              for f in d['flows']]
        out.append([d['package'], d['file'], d['line'], d['col'], d['kind'],
                    d['subject'], d['detail'], d['func'], fl])
    else:
        out.append([d['package'], d['file'], d['line'], d['col'], d['func'], d['kind'],
                    d['subject'], d['detail'], d['cause'], len(d['flows']),
                    sum(len(f['steps']) for f in d['flows'])])
for o in sorted(out, key=lambda x: json.dumps(x, ensure_ascii=False)):
    print(json.dumps(o, ensure_ascii=False))
