"""What a loaded entry holds: its provider and that provider's runtime data."""

from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntry

from .provider import ProviderSpec


@dataclass(kw_only=True, slots=True)
class OpenPowerData[R]:
    """The runtime data of a loaded entry.

    `R` is the provider's runtime data (clients and coordinators of one entry).
    """

    provider: ProviderSpec[R]
    runtime: R


type OpenPowerConfigEntry = ConfigEntry[OpenPowerData[Any]]
