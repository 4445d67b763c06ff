"""SEMS+ password encoding and request signature (reference apis-goodwe.md §2.2, §2.3).

- The cross-login sends `base64(md5_hex(password))`: the lower-case hex digest *string*,
  base64-encoded (not the raw MD5 bytes, not plain base64).
- Every gateway request, the login included, carries
  `X-Signature = base64(sha256_hex(f"{ms}@{uid}@{token}") + "@" + str(ms))`, where `ms` is the
  epoch time in milliseconds when the request is sent (not the login's timestamp); the login signs
  with an empty uid and token.
"""

import base64
from datetime import UTC, datetime, timedelta
import hashlib
from typing import Final

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def password_hash(password: str) -> str:
    """Return the `pwd` the SEMS+ cross-login takes for `password`."""
    # usedforsecurity=False: the server's scheme, not ours; FIPS builds refuse MD5 otherwise.
    digest = hashlib.md5(password.encode(), usedforsecurity=False).hexdigest()
    return base64.b64encode(digest.encode()).decode()


def signature(ms: int, uid: str, token: str) -> str:
    """Return the `X-Signature` of a request sent at `ms` (epoch milliseconds)."""
    digest = hashlib.sha256(f"{ms}@{uid}@{token}".encode()).hexdigest()
    return base64.b64encode(f"{digest}@{ms}".encode()).decode()


def epoch_ms(when: datetime) -> int:
    """Return an aware datetime as whole epoch milliseconds (exact, no float rounding)."""
    return (when - _EPOCH) // timedelta(milliseconds=1)
