"""Enedis options: which data is asked, and the tariff that prices consumption.

The tariff is the French one: base (one price) or peak/off-peak, whose off-peak hours come from
the contract where the backend serves it (Data Connect, MyElectricalData) and are typed for the
Conso API, which has none. It is saved as the shared `cost` option (`pricing`): a fixed price, or
a time-of-use tariff whose periods are the off-peak ranges, every day. "Other" leads to the
shared price steps (a tariff of one's own, another entry's prices). A changed tariff prices the
stored history again (`Pricer`), at the reload the saved options bring.
"""

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntryState, ConfigFlowResult
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
import probatio

from ...pricing_flow import PricedOptionsFlow
from .const import (
    CONF_BASE_PRICE,
    CONF_DATA,
    CONF_OFFPEAK_HOURS,
    CONF_OFFPEAK_PRICE,
    CONF_PEAK_PRICE,
    CONF_PRODUCTION_PRICE,
    CONF_TARIFF,
    DataKind,
    Tariff,
)
from .runtime import EnedisRuntime
from .state import detected_kinds
from .tariff import offpeak_periods, tariff_cost

_EURO_PER_KWH = NumberSelector(
    NumberSelectorConfig(
        min=0,
        max=10,
        step="any",
        mode=NumberSelectorMode.BOX,
        unit_of_measurement="€/kWh",
    )
)


class EnedisOptionsFlow(PricedOptionsFlow):
    """Data kinds, then the tariff's prices."""

    def __init__(self) -> None:
        """Start with nothing chosen."""
        super().__init__()
        self._chosen: dict[str, Any] = {}

    def _runtime(self) -> EnedisRuntime | None:
        entry = self.config_entry
        if entry.state is not ConfigEntryState.LOADED:
            return None
        runtime: EnedisRuntime = entry.runtime_data.runtime
        return runtime

    def _kinds(self) -> tuple[list[DataKind], list[DataKind]]:
        """Return the kinds to offer and those ticked unless the options chose already.

        Offered: what the meter was seen to have (every kind before Enedis has answered, or
        with the entry not loaded), and the load curve always: with hourly collection off it
        is only unticked, so it can be chosen again once the customer turns collection on.
        """
        runtime = self._runtime()
        found = (
            set(DataKind) if runtime is None else detected_kinds(runtime.history.state)
        )
        offered = found | {DataKind.LOAD_CURVE}
        return (
            [kind for kind in DataKind if kind in offered],
            [kind for kind in DataKind if kind in found],
        )

    def _has_production(self) -> bool:
        return DataKind.PRODUCTION in self._chosen.get(CONF_DATA, ())

    def _contract_offpeak(self) -> str | None:
        runtime = self._runtime()
        if runtime is None or runtime.contract.data is None:
            return None
        return runtime.contract.data.offpeak_hours

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Open the data step (the step id says whose options these are)."""
        return await self.async_step_enedis_data(user_input)

    async def async_step_enedis_data(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the data asked and the tariff."""
        options = self.config_entry.options
        offered, detected = self._kinds()
        errors: dict[str, str] = {}
        if user_input is not None:
            if not {DataKind.CONSUMPTION, DataKind.PRODUCTION} & set(
                user_input[CONF_DATA]
            ):
                errors[CONF_DATA] = "enedis_no_direction"
            else:
                self._chosen = {
                    CONF_DATA: [k for k in offered if k in user_input[CONF_DATA]],
                    CONF_TARIFF: user_input[CONF_TARIFF],
                }
                self._provider_options = self._chosen
                return await self._async_next(Tariff(user_input[CONF_TARIFF]))
        chosen = [k for k in options.get(CONF_DATA, detected) if k in offered]
        return self.async_show_form(
            step_id="enedis_data",
            data_schema=probatio.Schema(
                {
                    probatio.Required(CONF_DATA, default=chosen): SelectSelector(
                        SelectSelectorConfig(
                            options=[str(kind) for kind in offered],
                            multiple=True,
                            translation_key="enedis_data",
                            mode=SelectSelectorMode.LIST,
                        )
                    ),
                    probatio.Required(
                        CONF_TARIFF, default=options.get(CONF_TARIFF, Tariff.NONE)
                    ): SelectSelector(
                        SelectSelectorConfig(
                            options=[str(tariff) for tariff in Tariff],
                            translation_key="enedis_tariff",
                            mode=SelectSelectorMode.LIST,
                        )
                    ),
                }
            ),
            errors=errors,
        )

    async def _async_next(self, tariff: Tariff) -> ConfigFlowResult:
        if tariff is Tariff.BASE:
            return await self.async_step_enedis_tariff_base()
        if tariff is Tariff.PEAK_OFFPEAK:
            return await self.async_step_enedis_tariff_peak_offpeak()
        if tariff is Tariff.OTHER:
            return await self.async_step_cost(self._chosen)
        return self._async_save(None)

    def _price_fields(self, *keys: str) -> dict[probatio.Marker, Any]:
        options = self.config_entry.options
        fields: dict[probatio.Marker, Any] = {
            probatio.Required(
                key, description={"suggested_value": options.get(key)}
            ): _EURO_PER_KWH
            for key in keys
        }
        if self._has_production():
            fields[
                probatio.Optional(
                    CONF_PRODUCTION_PRICE,
                    description={"suggested_value": options.get(CONF_PRODUCTION_PRICE)},
                )
            ] = _EURO_PER_KWH
        return fields

    def _async_save_tariff(self, user_input: Mapping[str, Any]) -> ConfigFlowResult:
        self._chosen.update(
            {
                key: float(value) if key != CONF_OFFPEAK_HOURS else value
                for key, value in user_input.items()
            }
        )
        return self._async_save(tariff_cost(self._chosen))

    async def async_step_enedis_tariff_base(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the base price."""
        if user_input is not None:
            return self._async_save_tariff(user_input)
        return self.async_show_form(
            step_id="enedis_tariff_base",
            data_schema=probatio.Schema(self._price_fields(CONF_BASE_PRICE)),
        )

    async def async_step_enedis_tariff_peak_offpeak(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the peak and off-peak prices and the off-peak hours."""
        errors: dict[str, str] = {}
        contract = self._contract_offpeak()
        if user_input is not None:
            text = user_input[CONF_OFFPEAK_HOURS].strip()
            if offpeak_periods(text) is None:
                errors[CONF_OFFPEAK_HOURS] = "enedis_offpeak_hours"
            else:
                return self._async_save_tariff({**user_input, CONF_OFFPEAK_HOURS: text})
        hours = self.config_entry.options.get(CONF_OFFPEAK_HOURS) or contract
        return self.async_show_form(
            step_id="enedis_tariff_peak_offpeak",
            data_schema=probatio.Schema(
                {
                    **self._price_fields(CONF_PEAK_PRICE, CONF_OFFPEAK_PRICE),
                    probatio.Required(
                        CONF_OFFPEAK_HOURS, description={"suggested_value": hours}
                    ): TextSelector(),
                }
            ),
            errors=errors,
            description_placeholders={"contract": contract or "—"},
        )
