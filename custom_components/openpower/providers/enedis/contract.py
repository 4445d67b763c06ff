"""The meter's contract (subscribed power, tariff option, off-peak hours, status), weekly.

Only where the backend serves it (Data Connect, MyElectricalData): the Conso API has no contract
route, and its coordinator then holds no contract and sends nothing. The holder's identity and
address are read once, for diagnostics only.
"""

from dataclasses import dataclass
from typing import Any, override

from homeassistant.core import HomeAssistant

from ...api.enedis import Contract, Customer, EnedisBackend
from ...coordinator import OpenPowerCoordinator
from ...data import OpenPowerConfigEntry
from .const import CONF_OFFPEAK_HOURS, CONTRACT_INTERVAL, ISSUE_OFFPEAK_CHANGED
from .tariff import offpeak_differs


@dataclass(frozen=True, slots=True)
class EnedisContract:
    """The contract as last read; None where the backend serves none."""

    prm: str
    contract: Contract | None
    offpeak_hours: str | None
    """The off-peak ranges as "22:30-06:30, 12:00-14:00" (local time); None without any."""

    def diagnostics(self) -> dict[str, Any]:
        """Everything: a contract holds no personal data."""
        return {"contract": self.contract, "offpeak_hours": self.offpeak_hours}


def offpeak_text(contract: Contract | None) -> str | None:
    """Return the contract's off-peak ranges in one line."""
    if contract is None or not contract.offpeak_hours:
        return None
    return ", ".join(
        f"{start:%H:%M}-{end:%H:%M}" for start, end in contract.offpeak_hours
    )


class EnedisContractCoordinator(OpenPowerCoordinator[EnedisContract]):
    """Reads the contract at setup, then once a week (`CONTRACT_INTERVAL`)."""

    def __init__(
        self, hass: HomeAssistant, entry: OpenPowerConfigEntry, client: EnedisBackend
    ) -> None:
        """Create the coordinator of one meter."""
        super().__init__(
            hass, entry, name="contract", update_interval=CONTRACT_INTERVAL
        )
        self.client = client
        self.customer: Customer | None = None

    @override
    async def _async_fetch(self) -> EnedisContract:
        if not self.client.serves_contract:
            return EnedisContract(
                prm=self.client.prm, contract=None, offpeak_hours=None
            )
        contract = await self.client.async_contract()
        if self.customer is None:
            self.customer = await self.client.async_customer()
        text = offpeak_text(contract)
        # Enedis moves off-peak hours (the 2025-2027 reform): the tariff's must follow.
        self.async_set_issue(
            ISSUE_OFFPEAK_CHANGED,
            contract is not None
            and offpeak_differs(self.config_entry.options, contract.offpeak_hours),
            placeholders={
                "contract": text or "",
                "options": self.config_entry.options.get(CONF_OFFPEAK_HOURS, ""),
            },
        )
        return EnedisContract(
            prm=self.client.prm, contract=contract, offpeak_hours=text
        )
