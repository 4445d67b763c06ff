"""Simulator of every provider API OpenPower talks to (DESIGN.md, mechanism 5).

One aiohttp application: each provider's API is mirrored under its own path prefix (Amber:
`/amber/v1`), speaks the real protocol (paths, auth, headers, payload shapes from
`shared/fixtures/`), serves deterministic data on an injectable clock, and injects faults on demand.

    simulator = Simulator(clock=dt_util.utcnow)
    await simulator.start(tls=True)              # 127.0.0.1, free ports (HTTP and HTTPS)
    url = simulator.base_url("amber")            # http://127.0.0.1:<port>/amber/v1
    urls = simulator.urls("emporia")              # api_url, auth_url, maintenance_url
    pge = simulator.urls("pge")                   # api_url (https, mTLS), CA and client PEMs
    simulator.pge.notification_target = callback # async (body, headers) -> None, or a URL
    simulator.fault_next("amber", "http_429")
    ...
    await simulator.stop()

`scripts/simulator` runs it stand-alone (`python -m tests.simulator`).
"""

from .alphaess import (
    ALPHAESS_APP_ID,
    ALPHAESS_APP_SECRET,
    ALPHAESS_CHARGER,
    ALPHAESS_CHECK_CODE,
    ALPHAESS_LEGACY_SYSTEM,
    ALPHAESS_OTHER_APP_ID,
    ALPHAESS_OTHER_APP_SECRET,
    ALPHAESS_SYSTEM,
    ALPHAESS_UNBOUND_SYSTEM,
    AlphaEssAccount,
    AlphaEssCharger,
    AlphaEssSimulator,
    AlphaEssSystem,
    AlphaEssWrite,
)
from .amber import (
    DEMO_SITE_5MIN,
    DEMO_SITE_30MIN,
    DEMO_SITE_CLOSED,
    DEMO_TOKEN,
    EMPTY_TOKEN,
    MULTI_SITES,
    MULTI_TOKEN,
    AmberAccount,
    AmberChannel,
    AmberPrice,
    AmberSimulator,
    AmberSite,
)
from .app import RequestRecord, Simulator
from .common import FAULTS, FakeClock
from .emporia import (
    EMPORIA_BREAKER_PIN,
    EMPORIA_CHARGER_GID,
    EMPORIA_CHARGER_LOAD_GID,
    EMPORIA_CUSTOMER_GID,
    EMPORIA_EMAIL,
    EMPORIA_FEDERATED_CUSTOMER_GID,
    EMPORIA_FEDERATED_EMAIL,
    EMPORIA_FEDERATED_PLUG_GID,
    EMPORIA_FEDERATED_USERNAME,
    EMPORIA_PASSWORD,
    EMPORIA_PLUG_GID,
    EMPORIA_PLUG_LOAD_GID,
    EMPORIA_VUE2_GID,
    EMPORIA_VUE3_GID,
    EmporiaAccount,
    EmporiaChannel,
    EmporiaCharger,
    EmporiaDevice,
    EmporiaOutlet,
    EmporiaSimulator,
)
from .pge import (
    PGE_15MIN_BULK_ID,
    PGE_15MIN_CLIENT_ID,
    PGE_15MIN_CLIENT_SECRET,
    PGE_15MIN_ELECTRIC_USAGE_POINT,
    PGE_15MIN_GAS_USAGE_POINT,
    PGE_BULK_ID,
    PGE_CLIENT_ID,
    PGE_CLIENT_SECRET,
    PGE_ELECTRIC_USAGE_POINT,
    PGE_GAS_USAGE_POINT,
    PgeAccount,
    PgeBatch,
    PgeNotification,
    PgeSimulator,
    batch_list,
    rate_usage,
)
from .pge_feed import PgeUsagePoint, build_feed, iter_feed
from .pki import PkiFiles, TestPki, client_ssl_context, pki_files, pki_material

__all__ = [
    "ALPHAESS_APP_ID",
    "ALPHAESS_APP_SECRET",
    "ALPHAESS_CHARGER",
    "ALPHAESS_CHECK_CODE",
    "ALPHAESS_LEGACY_SYSTEM",
    "ALPHAESS_OTHER_APP_ID",
    "ALPHAESS_OTHER_APP_SECRET",
    "ALPHAESS_SYSTEM",
    "ALPHAESS_UNBOUND_SYSTEM",
    "DEMO_SITE_5MIN",
    "DEMO_SITE_30MIN",
    "DEMO_SITE_CLOSED",
    "DEMO_TOKEN",
    "EMPORIA_BREAKER_PIN",
    "EMPORIA_CHARGER_GID",
    "EMPORIA_CHARGER_LOAD_GID",
    "EMPORIA_CUSTOMER_GID",
    "EMPORIA_EMAIL",
    "EMPORIA_FEDERATED_CUSTOMER_GID",
    "EMPORIA_FEDERATED_EMAIL",
    "EMPORIA_FEDERATED_PLUG_GID",
    "EMPORIA_FEDERATED_USERNAME",
    "EMPORIA_PASSWORD",
    "EMPORIA_PLUG_GID",
    "EMPORIA_PLUG_LOAD_GID",
    "EMPORIA_VUE2_GID",
    "EMPORIA_VUE3_GID",
    "EMPTY_TOKEN",
    "FAULTS",
    "FakeClock",
    "MULTI_SITES",
    "MULTI_TOKEN",
    "PGE_15MIN_BULK_ID",
    "PGE_15MIN_CLIENT_ID",
    "PGE_15MIN_CLIENT_SECRET",
    "PGE_15MIN_ELECTRIC_USAGE_POINT",
    "PGE_15MIN_GAS_USAGE_POINT",
    "PGE_BULK_ID",
    "PGE_CLIENT_ID",
    "PGE_CLIENT_SECRET",
    "PGE_ELECTRIC_USAGE_POINT",
    "PGE_GAS_USAGE_POINT",
    "AlphaEssAccount",
    "AlphaEssCharger",
    "AlphaEssSimulator",
    "AlphaEssSystem",
    "AlphaEssWrite",
    "AmberAccount",
    "AmberChannel",
    "AmberPrice",
    "AmberSimulator",
    "AmberSite",
    "EmporiaAccount",
    "EmporiaChannel",
    "EmporiaCharger",
    "EmporiaDevice",
    "EmporiaOutlet",
    "EmporiaSimulator",
    "PgeAccount",
    "PgeBatch",
    "PgeNotification",
    "PgeSimulator",
    "PgeUsagePoint",
    "PkiFiles",
    "RequestRecord",
    "Simulator",
    "TestPki",
    "batch_list",
    "build_feed",
    "client_ssl_context",
    "iter_feed",
    "pki_files",
    "pki_material",
    "rate_usage",
]
