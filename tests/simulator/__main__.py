"""Run the simulator stand-alone: `python -m tests.simulator [--port 8765]` (see scripts/simulator)."""

import argparse
import asyncio
import contextlib
import signal
import sys

from . import (
    DEMO_SITE_5MIN,
    DEMO_SITE_30MIN,
    DEMO_TOKEN,
    EMPORIA_EMAIL,
    EMPORIA_FEDERATED_EMAIL,
    EMPORIA_PASSWORD,
    EMPTY_TOKEN,
    MULTI_TOKEN,
)
from .app import RequestRecord, Simulator


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
        "--quiet", action="store_true", help="do not print one line per request"
    )
    return parser.parse_args(argv)


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
    simulator = Simulator(amber_confirmation_delay=args.amber_confirmation_delay)
    if not args.quiet:
        simulator.request_listeners.append(_log_request)
    await simulator.start("127.0.0.1", args.port)
    try:
        _out("OpenPower simulator running (Ctrl-C to stop)")
        _out(f"  amber   {simulator.base_url('amber')}")
        _out(
            f"          token {DEMO_TOKEN}  (account demo: 5-min site {DEMO_SITE_5MIN},"
        )
        _out(f"                30-min site {DEMO_SITE_30MIN}, one closed site)")
        _out(f"          token {MULTI_TOKEN}  (account multi: three 5-min sites)")
        _out(f"          token {EMPTY_TOKEN}  (account empty: no site)")
        urls = simulator.emporia_urls()
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
