"""The provider registry: the only place the shell learns which providers exist."""

from typing import Any

from ..provider import ProviderSpec
from .amber import AMBER, AmberFlow
from .emporia import EMPORIA, EmporiaFlow
from .pge import PGE, PgeFlow

PROVIDERS: dict[str, ProviderSpec[Any]] = {
    spec.key: spec for spec in (AMBER, EMPORIA, PGE)
}


class ProviderFlows(AmberFlow, EmporiaFlow, PgeFlow):
    """Every provider's config-flow steps (a new provider adds its mixin here)."""
