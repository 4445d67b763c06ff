"""The options steps that choose an entry's price source (see `pricing`).

A provider's options flow derives from `PricedOptionsFlow` and ends its own step with
`async_step_cost(its options)`: the user then picks no price, a fixed price, a time-of-use
tariff or another entry's prices (an Amber site), and the entry is saved with both. A provider
with no option of its own uses `PriceOptionsFlow`, which starts at the price source.
"""

from collections.abc import Mapping
from typing import Any, Final

from homeassistant.config_entries import (
    ConfigEntryState,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TimeSelector,
)
import probatio

from .const import DOMAIN
from .pricing import (
    CONF_COST,
    CONF_DAYS,
    CONF_END,
    CONF_EXPORT_PRICE,
    CONF_IMPORT_PRICE,
    CONF_PERIODS,
    CONF_PRICE,
    CONF_PRICE_ENTRY,
    CONF_SOURCE,
    CONF_START,
    WEEKDAYS,
    PriceSourceKind,
)

NO_PRICE: Final = "none"
PERIOD_SECTIONS: Final = ("period_1", "period_2", "period_3")

_PRICE = NumberSelector(
    # A step under 0.001 is refused by the selector's schema: "any" takes cents per kWh.
    NumberSelectorConfig(min=-100, max=100, step="any", mode=NumberSelectorMode.BOX)
)


def _price_fields(current: Mapping[str, Any]) -> dict[probatio.Marker, Any]:
    return {
        probatio.Required(
            CONF_IMPORT_PRICE, default=current.get(CONF_IMPORT_PRICE, 0.0)
        ): _PRICE,
        probatio.Optional(
            CONF_EXPORT_PRICE,
            description={"suggested_value": current.get(CONF_EXPORT_PRICE)},
        ): _PRICE,
    }


def _period_section(period: Mapping[str, Any] | None) -> Any:
    known = period or {}
    return section(
        probatio.Schema(
            {
                probatio.Optional(
                    CONF_PRICE, description={"suggested_value": known.get(CONF_PRICE)}
                ): _PRICE,
                probatio.Optional(
                    CONF_START, description={"suggested_value": known.get(CONF_START)}
                ): TimeSelector(),
                probatio.Optional(
                    CONF_END, description={"suggested_value": known.get(CONF_END)}
                ): TimeSelector(),
                probatio.Optional(
                    CONF_DAYS, default=list(known.get(CONF_DAYS, WEEKDAYS))
                ): SelectSelector(
                    SelectSelectorConfig(
                        options=list(WEEKDAYS),
                        multiple=True,
                        translation_key="weekdays",
                        mode=SelectSelectorMode.LIST,
                    )
                ),
            }
        ),
        {"collapsed": period is None},
    )


def _prices(user_input: Mapping[str, Any]) -> dict[str, float]:
    prices = {CONF_IMPORT_PRICE: float(user_input[CONF_IMPORT_PRICE])}
    if (export := user_input.get(CONF_EXPORT_PRICE)) is not None:
        prices[CONF_EXPORT_PRICE] = float(export)
    return prices


class PricedOptionsFlow(OptionsFlowWithReload):
    """Options whose last steps choose the entry's price source."""

    def __init__(self) -> None:
        """Start without the provider's options (its own step passes them on)."""
        super().__init__()
        self._provider_options: dict[str, Any] = {}

    @property
    def _cost(self) -> Mapping[str, Any]:
        return self.config_entry.options.get(CONF_COST) or {}

    def _price_entries(self) -> list[SelectOptionDict]:
        """Return the loaded entries that offer prices (Amber sites), this one excepted."""
        return [
            SelectOptionDict(value=entry.entry_id, label=entry.title)
            for entry in self.hass.config_entries.async_entries(DOMAIN)
            if entry.entry_id != self.config_entry.entry_id
            and entry.state is ConfigEntryState.LOADED
            and entry.runtime_data.provider.price_table is not None
        ]

    async def async_step_cost(
        self, provider_options: Mapping[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Keep the provider's options and ask where prices come from."""
        if provider_options is not None:
            self._provider_options = dict(provider_options)
        return await self.async_step_cost_source()

    async def async_step_cost_source(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the price source."""
        if user_input is not None:
            source = user_input[CONF_SOURCE]
            if source == PriceSourceKind.FIXED:
                return await self.async_step_cost_fixed()
            if source == PriceSourceKind.TIME_OF_USE:
                return await self.async_step_cost_time_of_use()
            if source == PriceSourceKind.ENTRY:
                return await self.async_step_cost_entry()
            return self._async_save(None)
        sources = [NO_PRICE, PriceSourceKind.FIXED, PriceSourceKind.TIME_OF_USE]
        if self._price_entries():
            sources.append(PriceSourceKind.ENTRY)
        return self.async_show_form(
            step_id="cost_source",
            data_schema=probatio.Schema(
                {
                    probatio.Required(
                        CONF_SOURCE, default=self._cost.get(CONF_SOURCE, NO_PRICE)
                    ): SelectSelector(
                        SelectSelectorConfig(
                            options=[str(source) for source in sources],
                            translation_key="cost_source",
                            mode=SelectSelectorMode.LIST,
                        )
                    )
                }
            ),
        )

    async def async_step_cost_fixed(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the fixed prices."""
        if user_input is not None:
            return self._async_save(
                {CONF_SOURCE: PriceSourceKind.FIXED, **_prices(user_input)}
            )
        return self.async_show_form(
            step_id="cost_fixed",
            data_schema=probatio.Schema(_price_fields(self._cost)),
            description_placeholders={"currency": self.hass.config.currency},
        )

    async def async_step_cost_time_of_use(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the default prices and up to three periods."""
        errors: dict[str, str] = {}
        if user_input is not None:
            periods: list[dict[str, Any]] = []
            for key in PERIOD_SECTIONS:
                period = user_input.get(key) or {}
                given = [
                    period.get(field) is not None
                    for field in (CONF_PRICE, CONF_START, CONF_END)
                ]
                if not any(given):
                    continue
                if not all(given) or not period.get(CONF_DAYS):
                    errors[key] = "incomplete_period"
                    continue
                periods.append(
                    {
                        CONF_PRICE: float(period[CONF_PRICE]),
                        CONF_START: period[CONF_START],
                        CONF_END: period[CONF_END],
                        CONF_DAYS: [
                            day for day in WEEKDAYS if day in period[CONF_DAYS]
                        ],
                    }
                )
            if not errors and not periods:
                errors["base"] = "no_period"
            if not errors:
                return self._async_save(
                    {
                        CONF_SOURCE: PriceSourceKind.TIME_OF_USE,
                        **_prices(user_input),
                        CONF_PERIODS: periods,
                    }
                )
        known = list(self._cost.get(CONF_PERIODS, ()))
        return self.async_show_form(
            step_id="cost_time_of_use",
            data_schema=probatio.Schema(
                {
                    **_price_fields(self._cost),
                    **{
                        probatio.Required(key): _period_section(
                            known[index] if index < len(known) else None
                        )
                        for index, key in enumerate(PERIOD_SECTIONS)
                    },
                }
            ),
            errors=errors,
            description_placeholders={"currency": self.hass.config.currency},
        )

    async def async_step_cost_entry(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the entry whose prices apply."""
        if user_input is not None:
            return self._async_save(
                {
                    CONF_SOURCE: PriceSourceKind.ENTRY,
                    CONF_PRICE_ENTRY: user_input[CONF_PRICE_ENTRY],
                }
            )
        if not (entries := self._price_entries()):
            return self.async_abort(reason="no_price_entry")
        current = self._cost.get(CONF_PRICE_ENTRY)
        return self.async_show_form(
            step_id="cost_entry",
            data_schema=probatio.Schema(
                {
                    probatio.Required(
                        CONF_PRICE_ENTRY,
                        default=current
                        if any(e["value"] == current for e in entries)
                        else entries[0]["value"],
                    ): SelectSelector(SelectSelectorConfig(options=entries))
                }
            ),
        )

    def _async_save(self, cost: dict[str, Any] | None) -> ConfigFlowResult:
        options = dict(self._provider_options)
        if cost is not None:
            options[CONF_COST] = cost
        return self.async_create_entry(data=options)


class PriceOptionsFlow(PricedOptionsFlow):
    """The options of a provider whose only option is where its prices come from."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Go straight to the price source."""
        return await self.async_step_cost({})
