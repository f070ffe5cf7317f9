"""Verify a compliance-db webhook (Standard Webhooks), with Python's standard library only.

Usage: WEBHOOK_SECRET=whsec_... python3 verify_webhook.py HEADERS.json BODY_FILE
Exit status 0 when the signature is valid and fresh, 1 when it is not.
"""
import base64
import hashlib
import hmac
import json
import sys
import time

TOLERANCE_SECONDS = 5 * 60


def verify(secret: str, msg_id: str, timestamp: str, body: bytes, signatures: str) -> bool:
    """True when one of the space-separated `v1,<base64>` signatures is HMAC-SHA256 of
    `{id}.{timestamp}.{body}` under the secret, and the timestamp is within five minutes."""
    if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(expected, candidate.removeprefix("v1,"))
        for candidate in signatures.split(" ")
        if candidate.startswith("v1,")
    )


if __name__ == "__main__":
    import os

    headers = {k.lower(): v for k, v in json.load(open(sys.argv[1])).items()}
    body = open(sys.argv[2], "rb").read()
    ok = verify(
        os.environ["WEBHOOK_SECRET"],
        headers["webhook-id"],
        headers["webhook-timestamp"],
        body,
        headers["webhook-signature"],
    )
    # Deduplicate on the event id (the webhook-id): a retry or a replay sends the same one.
    print("valid" if ok else "invalid", headers["webhook-id"])
    sys.exit(0 if ok else 1)
