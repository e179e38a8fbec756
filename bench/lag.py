#!/usr/bin/env python3
"""Invalidation lag between two API replicas: writes one product's stock on the first replica and
polls the second until it serves the new level. The lag of a write is when the first read that saw
it was sent, after the write's 2xx (a read sent later sees it too).

    lag.py WRITER_URL READER_URL TOKEN WRITES MAX_SECONDS   -> one JSON object on stdout
"""
import http.client
import json
import sys
import time
import urllib.parse
import uuid

writer_url, reader_url, token, writes, max_seconds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])


def connect(url):
    u = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=10)


writer, reader = connect(writer_url), connect(reader_url)
headers = {"Content-Type": "application/json"}
if token:
    headers["Authorization"] = "Bearer " + token


def call(conn, method, path, body=None):
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers if body is not None else {})
    response = conn.getresponse()
    data = response.read()
    if response.status >= 300:
        raise SystemExit(f"lag.py: {method} {path} answered {response.status}: {data[:200]!r}")
    return json.loads(data) if data else None


sku = "LAG-" + uuid.uuid4().hex.upper()
product = call(writer, "POST", "/api/v1/products", {"sku": sku, "name": "Lag probe", "price": 1, "stockQuantity": 0})
path = "/api/v1/products/" + product["id"]
lags, stale, started = [], 0, time.monotonic()
for expected in range(1, writes + 1):
    if time.monotonic() - started > max_seconds:
        break
    call(reader, "GET", path)
    call(reader, "GET", path)  # now cached on the reader
    call(writer, "POST", path + "/stock-adjustments", {"delta": 1})
    written = time.monotonic()
    sent = 0.0
    while call(reader, "GET", path)["stockQuantity"] != expected:
        stale += 1
        sent = time.monotonic() - written
        if sent > 10:
            raise SystemExit(f"lag.py: write {expected} not served by the reader after 10 s")
    lags.append(sent * 1000)

lags.sort()


def pct(p):
    return round(lags[max(0, int(-(-p * len(lags) // 1)) - 1)], 2) if lags else None


print(json.dumps({"writes": len(lags), "stale_reads": stale, "p50_ms": pct(0.5), "p99_ms": pct(0.99), "max_ms": pct(1.0)}))
