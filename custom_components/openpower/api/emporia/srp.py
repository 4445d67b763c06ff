"""Cognito's Secure Remote Password (SRP-6a) exchange, the client side (`USER_SRP_AUTH`).

The arithmetic is AWS Cognito's (amazon-cognito-identity-js `AuthenticationHelper`, as pycognito
ports it): the 3072-bit RFC 3526 group, SHA-256, hex strings padded so they decode as positive
numbers, and an HKDF whose info is "Caldera Derived Key". The primitives are public so the
simulator's server side uses the very same ones.
"""

import base64
from dataclasses import dataclass, field
from datetime import datetime
import hashlib
import hmac
import secrets
from typing import Final

N_HEX: Final = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D"
    "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D"
    "670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9"
    "DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64"
    "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B"
    "F12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31"
    "43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N: Final = int(N_HEX, 16)
G: Final = 2
_INFO: Final = b"Caldera Derived Key\x01"
_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


def sha256_hex(data: bytes) -> str:
    """Return SHA-256 as 64 lower-case hex digits."""
    return hashlib.sha256(data).hexdigest()


def hex_hash(hex_string: str) -> str:
    """Return the SHA-256 of the bytes a hex string spells."""
    return sha256_hex(bytes.fromhex(hex_string))


def pad_hex(value: int | str) -> str:
    """Return `value` as hex of even length with no leading sign bit (Cognito's `padHex`)."""
    text = value if isinstance(value, str) else f"{value:x}"
    if len(text) % 2:
        return f"0{text}"
    if text[0] in "89abcdefABCDEF":
        return f"00{text}"
    return text


K: Final = int(hex_hash(f"00{N_HEX}0{G:x}"), 16)


def scrambler(big_a: int, big_b: int) -> int:
    """Return the scrambler u = H(A | B), which both sides derive from the public values."""
    return int(hex_hash(pad_hex(big_a) + pad_hex(big_b)), 16)


def password_exponent(pool_name: str, user_id: str, password: str, salt: str) -> int:
    """Return x = H(salt | H(pool name | user id | ":" | password))."""
    inner = sha256_hex(f"{pool_name}{user_id}:{password}".encode())
    return int(hex_hash(pad_hex(salt) + inner), 16)


def derive_key(shared_secret: int, u: int) -> bytes:
    """Return the 16-byte key both sides derive from S, salted with u (HKDF-SHA256)."""
    salt = bytes.fromhex(pad_hex(u))
    prk = hmac.new(salt, bytes.fromhex(pad_hex(shared_secret)), hashlib.sha256).digest()
    return hmac.new(prk, _INFO, hashlib.sha256).digest()[:16]


def claim_signature(
    key: bytes, pool_name: str, user_id: str, secret_block: str, timestamp: str
) -> str:
    """PASSWORD_CLAIM_SIGNATURE: HMAC of the pool, the user, the server's block and the time."""
    message = (
        pool_name.encode()
        + user_id.encode()
        + base64.standard_b64decode(secret_block)
        + timestamp.encode()
    )
    return base64.standard_b64encode(
        hmac.new(key, message, hashlib.sha256).digest()
    ).decode()


def cognito_timestamp(when: datetime) -> str:
    """Cognito's timestamp format: `Fri Jan 5 03:04:05 UTC 2024` (UTC, day not zero-padded)."""
    return (
        f"{_DAYS[when.weekday()]} {_MONTHS[when.month - 1]} {when.day} "
        f"{when:%H:%M:%S} UTC {when.year}"
    )


@dataclass(frozen=True, slots=True)
class SrpSession:
    """One sign-in attempt: the client's ephemeral secret `a` and public value `A`."""

    pool_name: str
    """The part of the user pool id after the region (`ghlOXVLi1`)."""
    small_a: int = field(repr=False)
    """The secret exponent: with it and the traffic, the password could be tested offline."""
    big_a: int

    @classmethod
    def start(cls, pool_id: str, small_a: int | None = None) -> SrpSession:
        """Pick a random `a` (or use the given one, for test vectors) and compute A = g^a mod N."""
        if small_a is None:
            small_a = int.from_bytes(secrets.token_bytes(128)) % N
        big_a = pow(G, small_a, N)
        if big_a == 0:
            raise ValueError("SRP safety check failed: A is 0 mod N")
        return cls(pool_name=pool_id.split("_", 1)[1], small_a=small_a, big_a=big_a)

    @property
    def srp_a(self) -> str:
        """A as InitiateAuth's `SRP_A` (unpadded lower-case hex)."""
        return f"{self.big_a:x}"

    def respond(
        self,
        challenge: dict[str, str],
        username: str,
        password: str,
        now: datetime,
    ) -> dict[str, str]:
        """Answer a PASSWORD_VERIFIER challenge with the proof that we know the password."""
        user_id = challenge["USER_ID_FOR_SRP"]
        big_b = int(challenge["SRP_B"], 16)
        if big_b % N == 0:
            raise ValueError("SRP safety check failed: B is 0 mod N")
        u = scrambler(self.big_a, big_b)
        if u == 0:
            raise ValueError("SRP safety check failed: u is 0")
        x = password_exponent(self.pool_name, user_id, password, challenge["SALT"])
        shared = pow(big_b - K * pow(G, x, N), self.small_a + u * x, N)
        timestamp = cognito_timestamp(now)
        return {
            "TIMESTAMP": timestamp,
            "USERNAME": challenge.get("USERNAME", username),
            "PASSWORD_CLAIM_SECRET_BLOCK": challenge["SECRET_BLOCK"],
            "PASSWORD_CLAIM_SIGNATURE": claim_signature(
                derive_key(shared, u),
                self.pool_name,
                user_id,
                challenge["SECRET_BLOCK"],
                timestamp,
            ),
        }
