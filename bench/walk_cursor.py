#!/usr/bin/env python3
"""Walks the API's keyset cursors (default sort) past ROWS rows and prints, as JSON, the cursor
for the next page and the last row's (name, id), which the baseline seeks after.

usage: walk_cursor.py BASE_URL ROWS
"""
import http.client
import json
import sys
import urllib.parse

base = urllib.parse.urlparse(sys.argv[1])
rows = int(sys.argv[2])
connection = http.client.HTTPConnection(base.hostname, base.port, timeout=30)
cursor, seen, last, requests = None, 0, None, 0
while seen < rows:
    limit = min(100, rows - seen)
    query = {"limit": str(limit)}
    if cursor:
        query["cursor"] = cursor
    connection.request("GET", "/api/v1/products?" + urllib.parse.urlencode(query))
    response = connection.getresponse()
    body = response.read()
    requests += 1
    if response.status != 200:
        sys.exit(f"walk_cursor: {response.status} after {seen} rows: {body[:300]!r}")
    page = json.loads(body)
    seen += len(page["items"])
    last = page["items"][-1]
    cursor = page["nextCursor"]
    if cursor is None:
        sys.exit(f"walk_cursor: the listing ended after {seen} rows")
print(json.dumps({"cursor": cursor, "rows": seen, "requests": requests, "lastName": last["name"], "lastId": last["id"]}))
