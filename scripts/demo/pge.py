"""PG&E in scripts/develop: the simulator's demo registration, pushing its data to the webhook.

BulkID 50916 (tests/simulator/pge.py): hourly electricity with solar net metering and daily gas,
on the simulator's plain-HTTP mirror of https://api.pge.com. The simulator POSTs each
notification to the entry's webhook: registered with it while the config flow shows the URL,
and given on its command line on later runs (a backfill cut by a stop resumes at once). The first
setup backfills four years, 90 days a request (about two minutes), then asks for the customer
information: its answer names the usage points' devices with the service address; the rate plan
comes with the bills. PG&E's days are Pacific days.
"""

from datetime import UTC, datetime, timedelta
import json
from typing import Any

import hass
from hass import Hass, HassError

NAME = "PG&E"
API_URL = f"{hass.SIMULATOR}/pge"
CLIENT_ID, BULK = "0a9d5c1e4b7f4e2a8c3d6b5a1f0e9d8c", "50916"
CLIENT_SECRET = "5f1e2d3c4b5a69788796a5b4c3d2e1f0"  # noqa: S105 - the simulator's demo
ELECTRIC, GAS = "5391320451", "7170720474"
PKI = hass.DEVELOP_DIR / "pki"  # the simulator's test CA and client certificate, kept
USED = f"openpower:pge_{ELECTRIC}_energy_consumption"
RETURNED = f"openpower:pge_{ELECTRIC}_energy_return"
GAS_USED = f"openpower:pge_{GAS}_gas_consumption"
SENSORS = {  # unique ids: all have values once the backfill reached the newest day
    *(f"pge_{point}_newest_interval" for point in (ELECTRIC, GAS)),
    *(f"pge_{ELECTRIC}_latest_day_{q}" for q in ("consumption", "return")),
    *(f"pge_bulk_{BULK}_{key}" for key in ("service_status", "last_notification")),
    *(
        f"pge_bulk_{BULK}_{key}"
        for key in ("authorization_status", "authorization_end")
    ),
    f"pge_{GAS}_latest_day_gas",
}
RATE_PLANS = {f"pge_{point}_rate_plan" for point in (ELECTRIC, GAS)}  # from the bills
# The demo account's service address (its customer information): the usage points' name suffix.
ADDRESS = "2417 Grant St"


def _webhook(webhook_id: str) -> str:
    return f"{hass.HA_URL}/api/webhook/{webhook_id}"


def simulator_args() -> list[str]:
    """Keep the PKI; notify the stored entry's webhook from the start."""
    stored = hass.CONFIG_DIR / ".storage" / "core.config_entries"
    entries = (
        json.loads(stored.read_text())["data"]["entries"] if stored.exists() else []
    )
    for entry in entries:
        if entry["data"].get("client_id") == CLIENT_ID:
            url = _webhook(entry["data"]["webhook_id"])
            return ["--pki-dir", str(PKI), "--pge-notification-url", url]
    return ["--pki-dir", str(PKI)]


async def _notify(api: Hass, webhook_id: str) -> None:
    """Tell the simulator to POST the notifications to this webhook."""
    control = f"{API_URL}/_simulator/notification-uri"
    async with api.session.post(control, data=_webhook(webhook_id)) as answer:
        if answer.status != 204:
            raise HassError(f"the simulator refused the webhook: {answer.status}")


async def set_up(api: Hass) -> tuple[dict[str, Any], bool]:
    """Return the registration's entry, made through the config flow when missing.

    The flow's second step shows the notification URL, with an error (no public HTTPS URL here,
    which PG&E requires) that does not stop it. The webhook is registered with the simulator
    before the entry exists: the backfill's first notification must find it.
    """

    async def notification(step: dict[str, Any]) -> dict[str, Any]:
        if step.get("errors") not in (None, {}, {"base": "notification_url_not_https"}):
            raise HassError(f"PG&E config flow: unexpected {step}")
        await _notify(api, step["description_placeholders"]["url"].rpartition("/")[2])
        return {}

    try:
        pem = {name: (PKI / name).read_text() for name in ("client.pem", "client.key")}
        advanced = {"api_url": API_URL, "ca_certificate": (PKI / "ca.pem").read_text()}
    except OSError as err:
        raise HassError(f"the simulator wrote no certificates: {err}") from err
    form = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}  # the BulkID: found
    form |= {"certificate": pem["client.pem"], "private_key": pem["client.key"]}
    steps = [{"next_step_id": "pge"}, form | {"advanced": advanced}, notification]
    title = f"PG&E Share My Data ({BULK})"
    entry, created = await api.entry(NAME, title, f"pge_bulk_{BULK}", steps)
    # Again from Home Assistant's own list: the flow or the command line may have done it.
    for hook in await api.ws("webhook/list"):
        if hook.get("domain") == "openpower" and hook.get("name") == entry["title"]:
            await _notify(api, hook["webhook_id"])
            return entry, created
    raise HassError(
        f"Home Assistant lists no OpenPower webhook named {entry['title']!r}"
    )


async def link(api: Hass, entries: dict[str, Any]) -> None:
    """Nothing: PG&E's readings carry their cost."""


async def energy_statistics(api: Hass) -> None:
    """Wait for the electricity (with its solar return) and the gas.

    No costs: PG&E's feeds carry none (nor do the simulator's).
    """
    await api.statistics([USED, RETURNED, GAS_USED])


async def _sensors(api: Hass, wanted: set[str] = SENSORS) -> dict[str, str] | None:
    """Return the sensors (unique id → entity id) once all have values, None until then."""
    registry = await api.ws("config/entity_registry/list")
    ids = {e["unique_id"]: e["entity_id"] for e in registry if e["unique_id"] in wanted}
    states = await api.states(ids.values())
    valued = {u for u, e in ids.items() if states[e] not in ("unknown", "unavailable")}
    return ids if valued == wanted else None


async def ready(api: Hass, entry: dict[str, Any]) -> dict[str, Any]:
    """Wait until the history reached the newest day and the customer information came.

    PG&E publishes a Pacific day the next morning; the *Newest data* sensors say which is there.
    Then the usage points' devices must be named with the service address, and their rate plan
    sensors have a value. Return the devices.
    """
    recent = (datetime.now(UTC) - timedelta(days=3)).isoformat()

    async def backfilled() -> bool | None:
        ids = await _sensors(api) or {}
        newest = await api.states(v for k, v in ids.items() if k.endswith("_interval"))
        return (ids and min(newest.values()) >= recent) or None

    await hass.until(
        "PG&E history not complete (see .develop/simulator.log)", backfilled, 600, 2
    )
    keys = {"service": f"bulk_{BULK}", "electricity": ELECTRIC, "gas": GAS}

    async def named() -> dict[str, Any] | None:
        devices = {
            key: await api.device(f"pge_{uid}") or {} for key, uid in keys.items()
        }
        points = (devices["electricity"], devices["gas"])
        addressed = all(
            (device.get("name") or "").endswith(f" · {ADDRESS}") for device in points
        )
        return devices if addressed and await _sensors(api, RATE_PLANS) else None

    # The customer information is asked once the backfill is done, and its answer names the
    # usage points' devices; the rate plans come with the backfill's bills. A state kept from
    # before either existed gets them only later (the monthly bill, a restart 12 h on): --reset.
    devices = await hass.until(
        "PG&E devices without their service address or rate plan (an older .develop/: "
        "scripts/develop --reset)",
        named,
        120,
        2,
    )
    return {key: device.get("id") for key, device in devices.items()}


def summary(state: dict[str, Any]) -> list[str]:
    """Return the summary's lines."""
    return [
        f"PG&E            /config/devices/device/{state['service']}",
        f"PG&E electric   /config/devices/device/{state['electricity']}",
        f"PG&E gas        /config/devices/device/{state['gas']}",
        f"PG&E login      client id {CLIENT_ID}, secret {CLIENT_SECRET},",
        "                .develop/pki/client.pem + client.key, CA ca.pem",
        f"PG&E API        {API_URL}   (plain HTTP; notifications → the webhook)",
        "                its days are Pacific: the latest is yesterday or the day before",
    ]


async def pictures_ready(api: Hass, state: dict[str, Any]) -> str | None:
    """Wait until the sensors, the rate plans included, have values."""
    if await _sensors(api) and await _sensors(api, RATE_PLANS):
        return None
    return "PG&E sensors without a value"
