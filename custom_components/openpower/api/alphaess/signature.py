"""AlphaESS request signing (reference apis-emporia-alphaess-amber.md §2.1).

Every request, GET included, carries `appId`, `timeStamp` (Unix seconds, 10 digits) and
`sign` = lower-case hex SHA-512 of appId + appSecret + timeStamp, computed from the same
timestamp that is sent; a POST also says `Content-Type: application/json`. The server refuses a
timestamp more than 300 s away from its own clock (6006/6009).
"""

import hashlib

SIGNATURE_VALIDITY = 300.0
"""How far, in seconds, a request's timestamp may be from the server's clock."""


def sign(app_id: str, app_secret: str, timestamp: int) -> str:
    """Return the `sign` header of a request sent at `timestamp` (Unix seconds)."""
    return hashlib.sha512(f"{app_id}{app_secret}{timestamp}".encode()).hexdigest()


def signed_headers(
    app_id: str, app_secret: str, timestamp: int, *, json_body: bool
) -> dict[str, str]:
    """Return the headers of one request: the signature, and the JSON content type of a POST."""
    headers = {
        "appId": app_id,
        "timeStamp": str(timestamp),
        "sign": sign(app_id, app_secret, timestamp),
    }
    if json_body:
        headers["Content-Type"] = "application/json"
    return headers
