"""The provider parts the simulator serves: a new provider adds its part here, and only here."""

from .alphaess import AlphaEssSimulator
from .amber import AmberSimulator
from .common import ProviderPart
from .emporia import EmporiaSimulator
from .enedis import EnedisSimulator
from .goodwe import GoodWeSimulator
from .pge import PgeSimulator

PARTS: tuple[type[ProviderPart], ...] = (
    AmberSimulator,
    EmporiaSimulator,
    PgeSimulator,
    AlphaEssSimulator,
    EnedisSimulator,
    GoodWeSimulator,
)
