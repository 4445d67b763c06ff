"""What credentials give access to.

A Conso API token's meters, MyElectricalData's `valid_access`, Data Connect's token answer and
its subscribed services.
"""

import base64
import binascii
from collections.abc import Mapping
from datetime import UTC, date, datetime
import json
import re
from typing import Any

from ..errors import ApiAuthError, ApiResponseError
from ..parse import obj, objects
from .models import PARIS, ConsoApiToken, MedAccess, SubscribedService

_PRM = re.compile(r"\d{14}")


def is_prm(value: str) -> bool:
    """Whether `value` looks like a meter id (PRM / PDL: 14 digits)."""
    return _PRM.fullmatch(value) is not None


def read_conso_api_token(token: str) -> ConsoApiToken:
    """Read the PRMs (`sub`) and expiry (`exp`) of a Conso API token.

    The signature is not checked (only Conso API can): this only offers the meters the token
    names. A token that is not a JWT naming at least one PRM is refused as wrong credentials.
    """
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise ApiAuthError("conso api: the token is not a JWT")
    try:
        claims = json.loads(
            base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        )
    except (binascii.Error, UnicodeDecodeError, ValueError) as err:
        raise ApiAuthError("conso api: the token's claims cannot be read") from err
    if not isinstance(claims, dict):
        raise ApiAuthError("conso api: the token's claims cannot be read")
    subject = claims.get("sub")
    names = [subject] if isinstance(subject, str) else subject
    if not isinstance(names, list):
        names = []
    prms = tuple(
        dict.fromkeys(
            prm.strip()
            for name in names
            if isinstance(name, str)
            for prm in re.split(r"[,;]", name)
            if is_prm(prm.strip())
        )
    )
    if not prms:
        raise ApiAuthError("conso api: the token names no meter")
    expiry = claims.get("exp")
    expires_at = (
        datetime.fromtimestamp(expiry, UTC)
        if isinstance(expiry, int | float) and not isinstance(expiry, bool)
        else None
    )
    return ConsoApiToken(prms=prms, expires_at=expires_at)


def _paris_time(item: Mapping[str, Any], key: str) -> datetime | None:
    """MyElectricalData's naive date-times are French local time."""
    value = item.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ApiResponseError(f"{key} is not a date-time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ApiResponseError(f"{key} is not a date-time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PARIS)
    return moment.astimezone(UTC)


def _count(item: Mapping[str, Any], key: str) -> int | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiResponseError(f"{key} is not a count")
    return value


def parse_med_access(payload: Any) -> MedAccess:
    """Return MyElectricalData's `valid_access` answer."""
    item = obj(payload, "valid_access")
    information = item.get("information")
    return MedAccess(
        valid=item.get("valid") is True,
        consent_expires_at=_paris_time(item, "consent_expiration_date"),
        calls=_count(item, "call_number"),
        quota_limit=_count(item, "quota_limit"),
        quota_reached=item.get("quota_reached") is True,
        quota_reset_at=_paris_time(item, "quota_reset_at"),
        banned=item.get("ban") is True,
        information=information if isinstance(information, str) else None,
    )


def read_data_connect_token(payload: Any) -> tuple[str, float]:
    """Return (access token, lifetime in seconds); `expires_in` comes as a number or a text."""
    item = obj(payload, "enedis token")
    token = item.get("access_token")
    if not isinstance(token, str) or not token.strip():
        raise ApiResponseError("enedis token: the answer holds no access_token")
    lifetime = item.get("expires_in")
    seconds = 0.0
    if isinstance(lifetime, int | float | str) and not isinstance(lifetime, bool):
        try:
            seconds = float(lifetime)
        except ValueError:
            seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise ApiResponseError("enedis token: invalid expires_in")
    return token.strip(), seconds


def _day(item: Mapping[str, Any], key: str) -> date | None:
    value = item.get(key)
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise ApiResponseError(f"{key} is not a date") from None


def parse_subscribed_services(payload: Any) -> list[SubscribedService]:
    """Return the services of a `subscribed_services/v1` answer (`serviceSouscrit`)."""
    services: list[SubscribedService] = []
    for item in objects(
        obj(payload, "subscribed_services").get("serviceSouscrit") or [],
        "serviceSouscrit",
    ):
        authorization = obj(item.get("autorisation") or {}, "autorisation")
        point, state = item.get("pointId"), item.get("etatCode")
        if not isinstance(point, str) or not isinstance(state, str):
            raise ApiResponseError("serviceSouscrit: pointId or etatCode missing")
        authorization_id = authorization.get("autorisationId")
        service_id = item.get("id")
        services.append(
            SubscribedService(
                service_id=None if service_id is None else str(service_id),
                point_id=point,
                state=state,
                measure_type=_optional(item, "mesuresTypeCode"),
                step=_optional(item, "mesuresPas"),
                consumption=item.get("soutirage") is True,
                production=item.get("injection") is True,
                start=_day(item, "dateDebut"),
                end=_day(item, "dateFin"),
                authorization_id=(
                    authorization_id
                    if isinstance(authorization_id, int)
                    and not isinstance(authorization_id, bool)
                    else None
                ),
            )
        )
    return services


def _optional(item: Mapping[str, Any], key: str) -> str | None:
    value = item.get(key)
    return value if isinstance(value, str) and value else None
