"""What each provider adds to scripts/develop: one module per provider, listed in `DEMOS`.

A demo module has:

- `NAME`: the provider as the driver's progress lines name it;
- `simulator_args() -> list[str]`: what it adds to the simulator's command line;
- `async set_up(api) -> (entry, created)`: its entry, through the real config flow over REST
  (`hass.Hass.entry`; `api` is a `hass.Hass`) unless it exists, once loaded;
- `async link(api, entries)`: what it sets up once every entry exists (`entries` by demo
  `NAME`): Emporia priced by the Amber site, Amber's cheap window; nothing to do is fine;
- `async energy_statistics(api)`: returns once the statistics its Energy dashboard sources use
  exist (then `openpower.configure_energy_dashboard` adds them, costs included);
- `async ready(api, entry) -> dict`: once its data is there, what `scripts/screenshots` and the
  summary need (device ids, ...), kept in `.develop/state.json` under `NAME`;
- `summary(state) -> list[str]`: its lines of the summary printed at start-up;
- `async pictures_ready(api, state) -> str | None`: what its screenshots still wait for (None:
  nothing).

A new provider adds its module here and one name to `DEMOS` (docs/adding-a-provider.md).
"""

from types import ModuleType

from . import alphaess, amber, emporia, enedis, goodwe, pge

DEMOS: tuple[ModuleType, ...] = (amber, emporia, pge, alphaess, enedis, goodwe)
