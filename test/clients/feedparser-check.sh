#!/bin/bash
# Real-client check with Python feedparser (Debian python3-feedparser 6.0.x).
# Usage: feedparser-check.sh URL|FILE [MIN_ITEMS=1] [EXPECT_VERSION]
#   EXPECT_VERSION e.g. rss20, atom10 (feedparser's names); optional.
# Exit 0 when bozo == 0 (well-formed, sane encoding and media type), HTTP status
# is 200 (for URLs), >= MIN_ITEMS entries, and every entry has id, title and link.
# feedparser 6.0.x cannot read JSON Feed: use jsonfeed-validate.sh for that.
set -u
SRC="${1:?usage: feedparser-check.sh URL|FILE [MIN_ITEMS] [EXPECT_VERSION]}"
exec /usr/bin/python3 - "$SRC" "${2:-1}" "${3:-}" <<'PY'
import sys, time, feedparser, feedparser.api
feedparser.api.PREFERRED_XML_PARSERS = []   # use expat even if python3-libxml2 is installed (as test/fixtures/corpus/oracle.jsonl was made)
src, minimum, want = sys.argv[1], int(sys.argv[2]), sys.argv[3]
d = feedparser.parse(src, agent='corpus-feedparser-check/1')
fails = []
if d.get('bozo'):
    fails.append(f"bozo=1: {type(d.bozo_exception).__name__}: {d.bozo_exception}")
if src.startswith(('http://', 'https://')) and d.get('status') != 200:
    fails.append(f"HTTP status {d.get('status')}")
print(f"feedparser {feedparser.__version__}: version={d.get('version')!r} encoding={d.get('encoding')!r} "
      f"content-type={d.get('headers', {}).get('content-type')!r}")
print(f"feed title: {d.feed.get('title')!r}  entries: {len(d.entries)}")
if want and d.get('version') != want:
    fails.append(f"version {d.get('version')!r} != expected {want!r}")
if not d.feed.get('title'):
    fails.append('feed has no title')
if len(d.entries) < minimum:
    fails.append(f'only {len(d.entries)} entries (< {minimum})')
seen = {}
for i, e in enumerate(d.entries):
    pub = e.get('published_parsed') or e.get('updated_parsed')
    print(f"  [{i}] id={e.get('id')!r} title={e.get('title')!r} link={e.get('link')!r} "
          f"date={time.strftime('%Y-%m-%dT%H:%M:%SZ', pub) if pub else None}")
    for k in ('id', 'title', 'link'):
        if not e.get(k):
            fails.append(f'entry {i} has no {k}')
    if e.get('id'):
        if e['id'] in seen:
            fails.append(f"entry {i} repeats the id of entry {seen[e['id']]}: {e['id']!r}")
        seen.setdefault(e['id'], i)
if fails:
    for f in fails:
        print('FAIL:', f, file=sys.stderr)
    sys.exit(1)
print('OK: feedparser accepted', src)
PY
