"""Run the simulator stand-alone: `python -m tests.simulator [--port 8765]` (see scripts/simulator)."""

import argparse
import asyncio
import contextlib
from pathlib import Path
import signal
import sys

from . import (
    ALPHAESS_APP_ID,
    ALPHAESS_APP_SECRET,
    ALPHAESS_CHARGER,
    ALPHAESS_CHECK_CODE,
    ALPHAESS_LEGACY_SYSTEM,
    ALPHAESS_OTHER_APP_ID,
    ALPHAESS_OTHER_APP_SECRET,
    ALPHAESS_SYSTEM,
    ALPHAESS_UNBOUND_SYSTEM,
    DEMO_SITE_5MIN,
    DEMO_SITE_30MIN,
    DEMO_TOKEN,
    EMPORIA_EMAIL,
    EMPORIA_FEDERATED_EMAIL,
    EMPORIA_PASSWORD,
    EMPTY_TOKEN,
    ENEDIS_CONSO_SANDBOX_TOKEN,
    ENEDIS_CONSO_TOKEN,
    ENEDIS_DC_CLIENT_ID,
    ENEDIS_DC_CLIENT_SECRET,
    ENEDIS_MED_TOKEN,
    ENEDIS_PRM,
    ENEDIS_PROSUMER_PRM,
    MULTI_TOKEN,
    PGE_15MIN_BULK_ID,
    PGE_15MIN_CLIENT_ID,
    PGE_15MIN_CLIENT_SECRET,
    PGE_BULK_ID,
    PGE_CLIENT_ID,
    PGE_CLIENT_SECRET,
)
from .app import RequestRecord, Simulator
from .pge import NOTIFICATION_DELAY, is_loopback_url
from .pki import use_directory


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/simulator",
        description="Serve the OpenPower provider simulator on 127.0.0.1 until Ctrl-C.",
    )
    parser.add_argument(
        "--port", type=int, default=8765, help="TCP port (default 8765)"
    )
    parser.add_argument(
        "--amber-confirmation-delay",
        type=float,
        default=25.0,
        metavar="SECONDS",
        help="seconds after an interval starts before its Amber price is confirmed (default 25)",
    )
    parser.add_argument(
        "--tls-port",
        type=int,
        default=None,
        metavar="N",
        help="HTTPS (mutual TLS, PG&E) port (default: --port + 1; 0: a free port)",
    )
    parser.add_argument(
        "--no-tls", action="store_true", help="serve plain HTTP only (no PG&E HTTPS)"
    )
    parser.add_argument(
        "--pge-notification-url",
        metavar="URL",
        help="loopback URL the PG&E BatchList notifications are POSTed to (can also be "
        "set later: POST the URL to <pge http base>/_simulator/notification-uri)",
    )
    parser.add_argument(
        "--pge-notification-delay",
        type=float,
        default=NOTIFICATION_DELAY,
        metavar="SECONDS",
        help=f"seconds between a PG&E Bulk request and its notification (default {NOTIFICATION_DELAY:g})",
    )
    parser.add_argument(
        "--pki-dir",
        type=Path,
        metavar="DIR",
        help="keep the test CA and certificates in DIR across runs (default: a fresh "
        "temporary directory)",
    )
    parser.add_argument(
        "--demo-time-zone",
        metavar="ZONE",
        help="put the Emporia and AlphaESS demo accounts in this IANA time zone (default: "
        "Emporia's in America/Los_Angeles, AlphaESS's in Australia/Sydney)",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="do not print one line per request"
    )
    args = parser.parse_args(argv)
    if args.pge_notification_url and not is_loopback_url(args.pge_notification_url):
        parser.error("--pge-notification-url must be http(s) on a loopback host")
    return args


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _log_request(record: RequestRecord) -> None:
    query = "&".join(f"{k}={v}" for k, v in record.query.items())
    fault = f" fault={record.fault}" if record.fault else ""
    account = f" account={record.account}" if record.account else ""
    _out(
        f"{record.time:%H:%M:%S} {record.status} {record.method} {record.path}"
        f"{'?' + query if query else ''}{account}{fault}"
    )


async def _serve(args: argparse.Namespace) -> None:
    if args.pki_dir is not None:
        use_directory(args.pki_dir)
    simulator = Simulator()
    simulator.amber.confirmation_delay = args.amber_confirmation_delay
    simulator.pge.notification_delay = args.pge_notification_delay
    simulator.pge.notification_target = args.pge_notification_url
    if args.demo_time_zone:
        simulator.emporia.set_time_zone(args.demo_time_zone)
        simulator.alphaess.set_time_zone(args.demo_time_zone)
    if not args.quiet:
        simulator.request_listeners.append(_log_request)
    tls_port = args.port + 1 if args.tls_port is None else args.tls_port
    await simulator.start(
        "127.0.0.1", args.port, tls=not args.no_tls, tls_port=tls_port
    )
    try:
        _out("OpenPower simulator running (Ctrl-C to stop)")
        _out(f"  amber   {simulator.base_url('amber')}")
        _out(
            f"          token {DEMO_TOKEN}  (account demo: 5-min site {DEMO_SITE_5MIN},"
        )
        _out(f"                30-min site {DEMO_SITE_30MIN}, one closed site)")
        _out(f"          token {MULTI_TOKEN}  (account multi: three 5-min sites)")
        _out(f"          token {EMPTY_TOKEN}  (account empty: no site)")
        urls = simulator.urls("emporia")
        _out(f"  emporia api_url         {urls['api_url']}")
        _out(f"          auth_url        {urls['auth_url']}")
        _out(f"          maintenance_url {urls['maintenance_url']}")
        _out(f"          email {EMPORIA_EMAIL}  password {EMPORIA_PASSWORD}")
        _out("                (Vue 2 + nested Vue 3, a smart plug, an EV charger)")
        federated = simulator.emporia.issue_tokens(EMPORIA_FEDERATED_EMAIL)
        _out(
            f"          Google account {EMPORIA_FEDERATED_EMAIL} (no password), refresh token"
        )
        _out(f"                {federated['refresh_token']}")
        pge = simulator.urls("pge")
        if "api_url" in pge:
            _out(f"  pge     api_url (mTLS)  {pge['api_url']}")
        _out(f"          http (no cert)  {pge['http_api_url']}")
        _out(f"          CA {pge['ca_cert']}")
        _out(f"          client cert {pge['client_cert']}  key {pge['client_key']}")
        _out(
            f"          client id {PGE_CLIENT_ID}  secret {PGE_CLIENT_SECRET}"
            f"  (BulkID {PGE_BULK_ID}: hourly + solar, gas)"
        )
        _out(
            f"          client id {PGE_15MIN_CLIENT_ID}  secret {PGE_15MIN_CLIENT_SECRET}"
            f"  (BulkID {PGE_15MIN_BULK_ID}: 15-min + solar, gas)"
        )
        _out(
            "          notifications → "
            + (args.pge_notification_url or "none yet")
            + f"  (set: POST the URL to {pge['http_api_url']}/_simulator/notification-uri)"
        )
        _out(f"  alphaess api_url {simulator.base_url('alphaess')}")
        _out(f"          appId {ALPHAESS_APP_ID}  secret {ALPHAESS_APP_SECRET}")
        _out(
            f"                (system {ALPHAESS_SYSTEM}: SMILE5, periodic schedule, "
            f"EV charger {ALPHAESS_CHARGER};"
        )
        _out(
            f"                system {ALPHAESS_LEGACY_SYSTEM}: Storion-S5, legacy schedule)"
        )
        _out(
            f"          appId {ALPHAESS_OTHER_APP_ID}  secret {ALPHAESS_OTHER_APP_SECRET}"
            "  (no system)"
        )
        _out(
            f"          unbound system {ALPHAESS_UNBOUND_SYSTEM}  CheckCode {ALPHAESS_CHECK_CODE}"
        )
        enedis = simulator.urls("enedis")
        _out(f"  enedis  Conso API        {enedis['conso_api_url']}")
        _out(f"          token {ENEDIS_CONSO_TOKEN}")
        _out(
            f"                (PRM {ENEDIS_PRM}: consumer; PRM {ENEDIS_PROSUMER_PRM}: "
            "producer+consumer)"
        )
        _out(f"          sandbox PRMs token {ENEDIS_CONSO_SANDBOX_TOKEN}")
        _out(f"          MyElectricalData {enedis['myelectricaldata_url']}")
        _out(f"          token {ENEDIS_MED_TOKEN}  (both demo PRMs)")
        _out(f"          Data Connect     {enedis['data_connect_url']}")
        _out(f"          client id {ENEDIS_DC_CLIENT_ID}")
        _out(f"          secret {ENEDIS_DC_CLIENT_SECRET}  (both demo PRMs)")
        _out(
            "          sandbox clients openpower-sandbox-client-<n> / "
            "openpower-sandbox-secret-<n>, n = 0-9"
        )
        stopping = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
        await stopping.wait()
    finally:
        await simulator.stop()


def main(argv: list[str] | None = None) -> int:
    """Run until interrupted."""
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
