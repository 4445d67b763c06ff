"""Constants shared by the integration shell and every provider."""

import logging
from typing import Final

DOMAIN: Final = "openpower"
LOGGER = logging.getLogger(__package__)

CONF_PROVIDER: Final = "provider"
CONF_ADVANCED: Final = "advanced"
CONF_API_URL: Final = "api_url"
CONF_ACCOUNT_ID: Final = "account_id"
ATTR_DEVICE_UID: Final = "device_uid"
"""Where an action on a device finds the device's OpenPower uid (`<provider>_<native id>`)."""
