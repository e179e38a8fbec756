#!/usr/bin/env python3
"""Mints the HS256 bearer token bench/run.sh sends on writes (issue #4's development tokens).

usage: mint_token.py SIGNING_KEY [base64|utf8]

The API reads Catalog:Auth:SigningKey either as base64 or as UTF-8 text; run.sh gives it a key
that is valid either way and keeps the token the API accepts.
"""
import base64
import hashlib
import hmac
import json
import sys
import time


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint(key: bytes, lifetime: int = 3600) -> str:
    now = int(time.time())
    header = {"alg": "HS256", "typ": "JWT"}
    claims = {
        "iss": "productcatalog-dev",
        "aud": "productcatalog-api",
        "sub": "bench",
        "scope": "catalog.write",
        "iat": now,
        "nbf": now - 5,
        "exp": now + lifetime,
    }
    signing_input = b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + b64url(
        json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(signature)


if __name__ == "__main__":
    secret = sys.argv[1]
    encoding = sys.argv[2] if len(sys.argv) > 2 else "base64"
    print(mint(base64.b64decode(secret) if encoding == "base64" else secret.encode()))
