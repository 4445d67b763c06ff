"""What the simulator's `enedis` part says: JWTs, Enedis and WSO2 error bodies, payload builders.

Every error body that exists in `shared/fixtures/enedis/` is reproduced here key for key (the
tests compare them with the fixture files); the few texts no capture shows are marked [decided].
The payload builders follow the captured 2026 bodies (`dc2026_*`) and, for MyElectricalData, the
v5 `meter_reading` and customers shapes it passes through (`med_v1_*`).
"""

import base64
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
import hashlib
import hmac
import json
from typing import Any, Final

from .enedis_model import PARIS, HalfHour

# ---------------------------------------------------------------------------------------------
# JWT (HS256), as the Conso API issues its tokens and as the simulator issues Data Connect's


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_jwt(claims: Mapping[str, Any], secret: str) -> str:
    """Sign `claims` with HS256 (header `{"alg":"HS256","typ":"JWT"}`)."""
    header = _b64url(
        json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode()
    )
    payload = _b64url(json.dumps(dict(claims), separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode()
    signature = hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64url(signature)}"


def read_jwt(token: str, secret: str) -> dict[str, Any] | None:
    """Return the claims of an HS256 token signed with `secret`, None if it is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        header = json.loads(_unb64url(parts[0]))
        claims = json.loads(_unb64url(parts[1]))
        signature = _unb64url(parts[2])
    except ValueError:
        return None
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        return None
    expected = hmac.new(
        secret.encode(), f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256
    ).digest()
    if not hmac.compare_digest(signature, expected) or not isinstance(claims, dict):
        return None
    return claims


# ---------------------------------------------------------------------------------------------
# Errors


@dataclass(frozen=True, slots=True)
class EnedisError(Exception):  # noqa: N818 - an answer of Enedis, raised to the host's handler
    """An answer of the Enedis platform (application error or WSO2 gateway fault).

    `body` is what Enedis answers directly (Data Connect); `relayed` what a gateway (Conso API,
    MyElectricalData) got from its own Enedis call and passes on, when it differs (a captured relay
    without `error_uri`). A str body is plain text.
    """

    status: int
    body: Mapping[str, Any] | str
    relayed: Mapping[str, Any] | str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def relayed_body(self) -> Mapping[str, Any] | str:
        """The body a gateway relays."""
        return self.body if self.relayed is None else self.relayed


def application_error(status: int, code: str, description: str) -> EnedisError:
    """Enedis's `{"error","error_description"}` answer."""
    return EnedisError(status, {"error": code, "error_description": description})


NO_DATA_DESCRIPTION: Final = "no measure found for this usage point"
NO_DATA: Final = EnedisError(
    404,
    {
        "error": "no_data_found",
        "error_description": NO_DATA_DESCRIPTION,
        "error_uri": "https://bluecoder.enedis.fr/api-doc/consulter-souscrire",
    },
    relayed={"error": "no_data_found", "error_description": NO_DATA_DESCRIPTION},
)
START_AFTER_END: Final = application_error(
    400, "Invalid_request", "Start date should be before end date."
)
NOT_HOLDER: Final = application_error(
    400, "ADAM-DC-0007", "Le client n'est pas titulaire du point demandé."
)
NO_CONSENT: Final = application_error(
    403,
    "ADAM-DC-0008",
    "No consent can be found for this customer and this usage point.",
)
BEFORE_COMMISSIONING: Final = application_error(
    400,
    "ADAM-ERR0123",
    "La demande ne peut pas aboutir, la période demandée est antérieure à la date de dernière "
    "mise en service du point.",
)
BEYOND_HISTORY: Final = application_error(  # [decided] text
    400,
    "ADAM-ERR0125",
    "La date de début de la période demandée est antérieure à la profondeur d'historique "
    "autorisée.",
)
WRONG_DIRECTION: Final = application_error(
    400,
    "ADAM-ERR0069",
    "Le sens de la mesure ne correspond pas pour le PRM demandé.",
)
CURVE_TOO_LONG: Final = application_error(  # [decided] text
    400, "ADAM-DC-0015", "The requested period must not exceed 7 days."
)
TECHNICAL_ERROR: Final = application_error(
    500, "technical_error", "Technical error. Please try later."
)
PLAIN_500: Final = EnedisError(500, "500 Internal Server Error")


def invalid_request(description: str) -> EnedisError:
    """400 `Invalid_request` (the spelling of the captured body) with a [decided] description."""
    return application_error(400, "Invalid_request", description)


def spike_arrest() -> EnedisError:
    """WSO2's nested throttling fault (more than 5 requests in a second)."""
    return EnedisError(
        429,
        {
            "fault": {
                "code": 900807,
                "message": "Message throttled out",
                "description": "You have exceeded your quota",
            }
        },
    )


def wso2_time(moment: datetime) -> str:
    """`2026-Jul-17 05:00:00+0000 UTC`, WSO2's `nextAccessTime` format (moment aware, UTC)."""
    return moment.strftime("%Y-%b-%d %H:%M:%S+0000 UTC")


def quota_exceeded(next_access: datetime) -> EnedisError:
    """WSO2's flat throttling body with `nextAccessTime` (the hourly quota)."""
    when = wso2_time(next_access)
    return EnedisError(
        429,
        {
            "code": "900804",
            "message": "Message throttled out",
            "description": f"You have exceeded your quota .You can access API after {when}",
            "nextAccessTime": when,
        },
    )


INVALID_CREDENTIALS: Final = EnedisError(
    401,
    {
        "fault": {
            "code": 900901,
            "message": "Invalid Credentials",
            "description": "Invalid JWT token. Signature verification failed.. Make sure you "
            "have provided the correct security credentials",
        }
    },
)
NOT_SUBSCRIBED: Final = EnedisError(
    403,
    {
        "code": "900908",
        "message": "Resource forbidden ",
        "description": "User is NOT authorized to access the Resource. API Subscription "
        "validation failed.",
    },
)
NO_RESOURCE: Final = EnedisError(  # WSO2's answer to a path no API publishes
    404,
    {
        "code": "404",
        "type": "Status report",
        "message": "Runtime Error",
        "description": "No matching resource found for given API Request",
    },
)

# ---------------------------------------------------------------------------------------------
# Mesure synchrone v2 (2026) bodies


def _points_v(readings: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"v": value, "d": when} for value, when in readings]


def _envelope(
    prm: str,
    start: date,
    end: date,
    head: Mapping[str, str],
    grandeur: Mapping[str, Any],
) -> dict[str, Any]:
    return {
        "idPrm": prm,
        "etapeMetier": "BRUT",
        "periode": {"dateDebut": start.isoformat(), "dateFin": end.isoformat()},
        **head,
        "grandeur": [{**grandeur, "calendrier": []}],
        "contexte": [],
    }


def daily_body(
    prm: str, start: date, end: date, metier: str, days: Sequence[tuple[date, int]]
) -> dict[str, Any]:
    """`consommation_quotidienne` / `production_quotidienne` (Wh per day)."""
    return _envelope(
        prm,
        start,
        end,
        {"typeValeur": "GLOBALE", "modeCalcul": "DIFF.INDEX", "pas": "P1D"},
        {
            "grandeurMetier": metier,
            "grandeurPhysique": "EA",
            "unite": "Wh",
            "points": _points_v((str(wh), day.isoformat()) for day, wh in days),
        },
    )


def index_body(
    prm: str, start: date, end: date, metier: str, days: Sequence[tuple[date, int]]
) -> dict[str, Any]:
    """`index_consommation` / `index_production` [decided shape: no capture exists].

    The daily body's shape with `typeValeur` "INDEX": each point is the meter's total register
    (Wh since commissioning) at the end of that day.
    """
    body = daily_body(prm, start, end, metier, days)
    body["typeValeur"] = "INDEX"
    body["modeCalcul"] = "MESURE"
    return body


def curve_body(
    prm: str, start: date, end: date, metier: str, half_hours: Sequence[HalfHour]
) -> dict[str, Any]:
    """`courbe_de_charge_consommation` / `_production` (W, interval end, naive Paris time)."""
    return _envelope(
        prm,
        start,
        end,
        {"modeCalcul": "MESURE"},
        {
            "grandeurMetier": metier,
            "grandeurPhysique": "PA",
            "unite": "W",
            "points": [
                {
                    "v": str(half_hour.watts),
                    "d": f"{half_hour.end:%Y-%m-%d %H:%M:%S}",
                    "p": "PT30M",
                    "n": "B",
                    "iv": "0",
                    "ec": "0",
                }
                for half_hour in half_hours
            ],
        },
    )


def max_power_body(
    prm: str,
    start: date,
    end: date,
    step: str,
    peaks: Sequence[tuple[int, datetime]],
) -> dict[str, Any]:
    """`puissance_conso_max_quotidienne` (VA, `d` = when the maximum was reached)."""
    return _envelope(
        prm,
        start,
        end,
        {"modeCalcul": "MESURE", "pas": step},
        {
            "grandeurMetier": "CONS",
            "grandeurPhysique": "PMA",
            "unite": "VA",
            "points": _points_v(
                (str(va), f"{when:%Y-%m-%d %H:%M:%S}") for va, when in peaks
            ),
        },
    )


# ---------------------------------------------------------------------------------------------
# v5 `meter_reading` bodies (what MyElectricalData passes through)

_READING_TYPES: Final[dict[str, dict[str, str]]] = {
    "energy": {
        "unit": "Wh",
        "measurement_kind": "energy",
        "aggregate": "sum",
        "measuring_period": "P1D",
    },
    "curve": {"unit": "W", "measurement_kind": "power", "aggregate": "average"},
    "max_power": {
        "unit": "VA",
        "measurement_kind": "power",
        "aggregate": "maximum",
        "measuring_period": "P1D",
    },
}


def meter_reading(
    prm: str,
    start: date,
    end: date,
    kind: str,
    readings: Iterable[dict[str, str]],
) -> dict[str, Any]:
    """`{"meter_reading": {…}}`; `kind` is `energy`, `curve` or `max_power`."""
    return {
        "meter_reading": {
            "usage_point_id": prm,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "quality": "BRUT",
            "reading_type": dict(_READING_TYPES[kind]),
            "interval_reading": list(readings),
        }
    }


def v5_curve_readings(half_hours: Iterable[HalfHour]) -> list[dict[str, str]]:
    """Load-curve `interval_reading` items (the end of each interval, like 2026's `d`)."""
    return [
        {
            "value": str(half_hour.watts),
            "date": f"{half_hour.end:%Y-%m-%d %H:%M:%S}",
            "interval_length": "PT30M",
            "measure_type": "B",
        }
        for half_hour in half_hours
    ]


# ---------------------------------------------------------------------------------------------
# Contract, address, services


def offset_time(day: date) -> str:
    """Paris midnight of `day` as `2024-10-12T00:00:00+0200` (the 2026 contract APIs' format)."""
    return datetime.combine(day, time(), PARIS).strftime("%Y-%m-%dT%H:%M:%S%z")


def v5_date(day: date) -> str:
    """`2006-05-24+02:00`, the v5 contract dates' format."""
    moment = datetime.combine(day, time(), PARIS)
    offset = moment.strftime("%z")
    return f"{day.isoformat()}{offset[:3]}:{offset[3:]}"
