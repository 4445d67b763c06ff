"""PG&E Share My Data config-flow steps: credentials + client certificate → notification URL → entry.

The user gives the Client ID and Secret of the Share My Data registration, optionally its Bulk ID
(Third Party ID; discovered from the `Authorization` resource when left empty) and the client
certificate and private key registered with PG&E, each uploaded as a file or pasted as PEM. The
flow checks, before creating anything, that the key matches the certificate and the certificate
has not expired (in the executor: loading certificates is blocking), that PG&E gives a
client-credentials token over mutual TLS and that `ReadServiceStatus` answers 1. A new entry then
shows the notification URL to register in the Share My Data portal (the entry's webhook). One
entry per registration: unique id `pge_<client id>`.

Where the secrets may go (`flow.url_origin`): PG&E's API is reached over HTTPS (plain `http://`
only on this machine, for a test server), and the stored client secret and private key go only
to the host they were given for: a reconfigure that moves the API URL to another host (or port)
needs them entered again, as if new.
"""

from collections.abc import Mapping
from functools import partial
import ssl
from typing import Any, override

from homeassistant.components import webhook
from homeassistant.components.file_upload import process_uploaded_file
from homeassistant.config_entries import ConfigEntry, ConfigFlowResult
from homeassistant.const import CONF_CLIENT_ID, CONF_CLIENT_SECRET, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.helpers.selector import (
    FileSelector,
    FileSelectorConfig,
    TextSelector,
    TextSelectorConfig,
)
import probatio

from ...api.errors import ApiResponseError
from ...api.pge import DEFAULT_API_URL, CertificateRejectedError
from ...const import CONF_ADVANCED, CONF_API_URL
from ...errors import async_probe
from ...flow import SECRET_SELECTOR, ProviderFlow, advanced_section, api_url, url_origin
from .const import (
    CONF_BULK_ID,
    CONF_CA_CERTIFICATE,
    CONF_CERTIFICATE,
    CONF_CERTIFICATE_FILE,
    CONF_PRIVATE_KEY,
    CONF_PRIVATE_KEY_FILE,
    PORTAL_URL,
    PROVIDER,
)
from .runtime import async_load_certificate, build_client
from .webhook import async_notification_url

TEXT_SELECTOR = TextSelector()
PEM_SELECTOR = TextSelector(TextSelectorConfig(multiline=True))
CERTIFICATE_FILE_SELECTOR = FileSelector(FileSelectorConfig(accept=".pem,.crt,.cer"))
PRIVATE_KEY_FILE_SELECTOR = FileSelector(FileSelectorConfig(accept=".pem,.key"))

# Where each certificate error shows: on the certificate's field, the key's, or the form.
_CERTIFICATE_ERRORS = frozenset({"invalid_certificate", "certificate_expired"})
_KEY_ERRORS = frozenset({"invalid_key", "key_mismatch"})

# Fields whose value is never suggested back into a re-shown form.
_SECRET_FIELDS = (CONF_CLIENT_SECRET, CONF_PRIVATE_KEY)


def _advanced_section() -> dict[probatio.Marker, Any]:
    """Return the collapsed `advanced` section: PG&E's API URL, a CA certificate to trust."""
    return advanced_section(
        {CONF_API_URL: DEFAULT_API_URL},
        {probatio.Optional(CONF_CA_CERTIFICATE): PEM_SELECTOR},
    )


def _pem_fields() -> dict[probatio.Marker, Any]:
    """Return the certificate and private key fields: each a file or pasted PEM."""
    return {
        probatio.Optional(CONF_CERTIFICATE_FILE): CERTIFICATE_FILE_SELECTOR,
        probatio.Optional(CONF_CERTIFICATE): PEM_SELECTOR,
        probatio.Optional(CONF_PRIVATE_KEY_FILE): PRIVATE_KEY_FILE_SELECTOR,
        probatio.Optional(CONF_PRIVATE_KEY): PEM_SELECTOR,
    }


def _read_upload(hass: HomeAssistant, file_id: str, *, certificate: bool) -> str:
    """Read an uploaded PEM file (blocking: runs in the executor; the upload is then removed).

    A certificate file may also be DER (`.cer` files often are): it is wrapped as PEM, and
    loading it says whether it is one. Raises ValueError for an unknown upload or a non-text
    private key, OSError when the file cannot be read.
    """
    with process_uploaded_file(hass, file_id) as path:
        content = path.read_bytes()
    if certificate and b"-----BEGIN" not in content:
        return ssl.DER_cert_to_PEM_cert(content)
    return content.decode("utf-8")


async def _async_check(hass: HomeAssistant, data: Mapping[str, Any]) -> tuple[str, str]:
    """Load the certificate, get a token over mutual TLS, check the service, find the Bulk ID.

    Returns `(bulk id, "")` when everything works, else `("", form error)` for the failures
    that are PG&E's answer rather than an API error. An unusable certificate raises its
    `ApiCertificateError` (the shell's error table names it; `_on_its_field` places it).
    """
    client = build_client(hass, data, await async_load_certificate(hass, data))
    bulk_id = data.get(CONF_BULK_ID)
    try:
        await client.async_get_token()
        if await client.async_service_status() != 1:
            return "", "service_unavailable"
        if bulk_id:
            return bulk_id, ""
        try:
            return await client.async_bulk_id(), ""
        except ApiResponseError:
            return "", "bulk_id_not_found"
    except CertificateRejectedError:
        return "", "certificate_rejected"


def _on_its_field(
    errors: dict[str, str], certificate_field: str, key_field: str
) -> dict[str, str]:
    """Move a certificate or key error from the form to the field it is about."""
    error = errors.get("base")
    if error in _CERTIFICATE_ERRORS:
        return {certificate_field: error}
    if error in _KEY_ERRORS:
        return {key_field: error}
    return errors


class PgeFlow(ProviderFlow):
    """PG&E Share My Data steps of the config flow."""

    provider = PROVIDER

    @override
    async def async_reauth(self, entry: ConfigEntry) -> ConfigFlowResult:
        """Ask for new credentials of the entry's account."""
        return await self.async_step_pge_reauth()

    @override
    async def async_reconfigure(self, entry: ConfigEntry) -> ConfigFlowResult:
        """Change the entry's connection settings."""
        return await self.async_step_pge_reconfigure()

    _pge_data: dict[str, Any]
    _pge_title: str
    _pge_uploads: dict[str, str] | None = None

    async def _async_pge_pem(
        self,
        user_input: Mapping[str, Any],
        defaults: Mapping[str, Any],
        *,
        certificate: bool,
    ) -> tuple[str | None, str, str | None]:
        """Return `(PEM, field, error)` of the certificate or the private key.

        An uploaded file wins over pasted text, which wins over the entry's current value. An
        upload is read once per flow (reading removes it), so a re-submitted form still works.
        """
        file_key, text_key, invalid, required = (
            (
                CONF_CERTIFICATE_FILE,
                CONF_CERTIFICATE,
                "invalid_certificate",
                "certificate_required",
            )
            if certificate
            else (
                CONF_PRIVATE_KEY_FILE,
                CONF_PRIVATE_KEY,
                "invalid_key",
                "key_required",
            )
        )
        if file_id := user_input.get(file_key):
            if self._pge_uploads is None:
                self._pge_uploads = {}
            if (text := self._pge_uploads.get(file_id)) is None:
                try:
                    content = await self.hass.async_add_executor_job(
                        partial(
                            _read_upload, self.hass, file_id, certificate=certificate
                        )
                    )
                except OSError, ValueError:
                    return None, file_key, invalid
                text = self._pge_uploads[file_id] = content.strip()
            return text, file_key, None
        if text := (user_input.get(text_key) or "").strip():
            return text, text_key, None
        if text := defaults.get(text_key):
            return text, text_key, None
        return None, file_key, required

    async def _async_pge_validate(
        self, user_input: Mapping[str, Any], defaults: Mapping[str, Any]
    ) -> tuple[dict[str, Any] | None, dict[str, str]]:
        """Check `user_input` over `defaults` (the entry's data); return the entry data or errors.

        The stored secrets are used only where they went before (`flow.url_origin`).
        """
        errors: dict[str, str] = {}
        advanced_input = user_input.get(CONF_ADVANCED, defaults.get(CONF_ADVANCED, {}))
        advanced = {CONF_API_URL: advanced_input.get(CONF_API_URL) or DEFAULT_API_URL}
        if (endpoint := url_origin(advanced[CONF_API_URL])) is None:
            return None, {"base": "url_not_https"}
        moved = bool(defaults) and endpoint != url_origin(
            api_url(defaults, DEFAULT_API_URL)
        )
        if moved:
            defaults = {k: v for k, v in defaults.items() if k not in _SECRET_FIELDS}
        certificate, certificate_field, error = await self._async_pge_pem(
            user_input, defaults, certificate=True
        )
        if error:
            errors[certificate_field] = error
        private_key, key_field, error = await self._async_pge_pem(
            user_input, defaults, certificate=False
        )
        if error:
            if moved and error == "key_required":
                key_field, error = CONF_PRIVATE_KEY, "secret_for_new_host"
            errors[key_field] = error
        if not (
            (user_input.get(CONF_CLIENT_SECRET) or "").strip()
            or defaults.get(CONF_CLIENT_SECRET)
        ):
            errors[CONF_CLIENT_SECRET] = (
                "secret_for_new_host" if moved else "pge_secret_required"
            )
        if errors:
            return None, errors
        if ca_certificate := (advanced_input.get(CONF_CA_CERTIFICATE) or "").strip():
            advanced[CONF_CA_CERTIFICATE] = ca_certificate
        data: dict[str, Any] = {
            key: value
            for key in (CONF_CLIENT_ID, CONF_CLIENT_SECRET, CONF_BULK_ID)
            if (value := (user_input.get(key) or "").strip() or defaults.get(key))
        }
        data |= {
            CONF_CERTIFICATE: certificate,
            CONF_PRIVATE_KEY: private_key,
            CONF_ADVANCED: advanced,
        }
        outcome, errors = await async_probe(PROVIDER, _async_check(self.hass, data))
        if outcome is None:
            return None, _on_its_field(errors, certificate_field, key_field)
        bulk_id, error = outcome
        if error:
            return None, {"base": error}
        data[CONF_BULK_ID] = bulk_id
        data[CONF_WEBHOOK_ID] = (
            defaults.get(CONF_WEBHOOK_ID) or webhook.async_generate_id()
        )
        return data, {}

    async def _async_pge_form(
        self,
        step_id: str,
        schema: probatio.Schema,
        user_input: dict[str, Any] | None,
        *,
        defaults: Mapping[str, Any],
        suggested: Mapping[str, Any],
    ) -> ConfigFlowResult:
        """Validate `user_input` and finish (reauth, reconfigure) or go on, or show the form."""
        errors: dict[str, str] = {}
        entry = self.entry_in_flow()
        if user_input is not None:
            data, errors = await self._async_pge_validate(user_input, defaults)
            if data is not None:
                title = f"PG&E Share My Data ({data[CONF_BULK_ID]})"
                if entry is not None:
                    return await self.async_finish(data[CONF_CLIENT_ID], title, data)
                await self.flow.async_claim_unique_id(PROVIDER, data[CONF_CLIENT_ID])
                self._pge_data, self._pge_title = data, title
                return await self.async_step_pge_notification()
        values = {**suggested, **(user_input or {})}
        for key in _SECRET_FIELDS:
            values.pop(key, None)
        return self.flow.async_show_form(
            step_id=step_id,
            data_schema=self.flow.add_suggested_values_to_schema(schema, values),
            errors=errors,
            description_placeholders={
                "portal_url": PORTAL_URL,
                "name": entry.title if entry else "",
                # Reconfigure shows the URL again: it is not shown anywhere else.
                "url": (await self._async_pge_url(entry.data[CONF_WEBHOOK_ID]))[0]
                if entry
                else "",
            },
            last_step=entry is not None,
        )

    async def async_step_pge(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the Share My Data registration: credentials, Bulk ID, certificate and key."""
        schema = probatio.Schema(
            {
                probatio.Required(CONF_CLIENT_ID): TEXT_SELECTOR,
                probatio.Required(CONF_CLIENT_SECRET): SECRET_SELECTOR,
                probatio.Optional(CONF_BULK_ID): TEXT_SELECTOR,
                **_pem_fields(),
                **_advanced_section(),
            }
        )
        return await self._async_pge_form(
            "pge", schema, user_input, defaults={}, suggested={}
        )

    async def async_step_pge_notification(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the notification URL to register in the Share My Data portal, then create."""
        if user_input is not None:
            return await self.async_finish(
                self._pge_data[CONF_CLIENT_ID],
                self._pge_title,
                self._pge_data,
            )
        url, public = await self._async_pge_url(self._pge_data[CONF_WEBHOOK_ID])
        # PG&E posts only to a public HTTPS URL: say so, and show what there is.
        errors = {} if public else {"base": "notification_url_not_https"}
        return self.flow.async_show_form(
            step_id="pge_notification",
            errors=errors,
            description_placeholders={"url": url, "portal_url": PORTAL_URL},
            last_step=True,
        )

    async def _async_pge_url(self, webhook_id: str) -> tuple[str, bool]:
        """Return the notification URL to show, and whether it is public HTTPS."""
        url = await async_notification_url(self.hass, webhook_id)
        if url is not None and url.lower().startswith("https://"):
            return url, True
        if url is None:
            try:
                url = webhook.async_generate_url(self.hass, webhook_id)
            except NoURLAvailableError:
                url = webhook.async_generate_path(webhook_id)
        return url, False

    async def async_step_pge_reauth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new client secret and/or certificate and key (empty keeps the current)."""
        entry = self.entry_to_update()
        schema = probatio.Schema(
            {probatio.Optional(CONF_CLIENT_SECRET): SECRET_SELECTOR, **_pem_fields()}
        )
        return await self._async_pge_form(
            "pge_reauth", schema, user_input, defaults=entry.data, suggested={}
        )

    async def async_step_pge_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change any setting of the registration (same Client ID), endpoints included."""
        entry = self.entry_to_update()
        schema = probatio.Schema(
            {
                probatio.Required(CONF_CLIENT_ID): TEXT_SELECTOR,
                probatio.Optional(CONF_CLIENT_SECRET): SECRET_SELECTOR,
                probatio.Optional(CONF_BULK_ID): TEXT_SELECTOR,
                **_pem_fields(),
                **_advanced_section(),
            }
        )
        # An emptied Bulk ID is discovered again; empty secrets and PEMs keep the current ones.
        defaults = {k: v for k, v in entry.data.items() if k != CONF_BULK_ID}
        suggested = {
            key: entry.data[key]
            for key in (CONF_CLIENT_ID, CONF_BULK_ID, CONF_ADVANCED)
            if key in entry.data
        }
        return await self._async_pge_form(
            "pge_reconfigure",
            schema,
            user_input,
            defaults=defaults,
            suggested=suggested,
        )
