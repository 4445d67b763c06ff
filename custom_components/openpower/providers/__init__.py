"""The provider registry: the only place the shell learns which providers exist."""

from typing import Any

from ..provider import ProviderSpec
from .alphaess import ALPHAESS
from .amber import AMBER
from .emporia import EMPORIA
from .enedis import ENEDIS
from .goodwe import GOODWE
from .pge import PGE

PROVIDERS: dict[str, ProviderSpec[Any]] = {
    spec.key: spec for spec in (AMBER, EMPORIA, PGE, ALPHAESS, ENEDIS, GOODWE)
}
