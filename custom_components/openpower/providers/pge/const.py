"""PG&E Share My Data provider constants."""

from datetime import timedelta
from typing import Final
from zoneinfo import ZoneInfo

PROVIDER: Final = "pge"

# Entry data, besides Home Assistant's CONF_CLIENT_ID, CONF_CLIENT_SECRET and CONF_WEBHOOK_ID (the
# secret part of the notification URL). The certificate, key and CA are stored as PEM text
# (uploaded files are read once, in the flow).
CONF_BULK_ID: Final = "bulk_id"
CONF_CERTIFICATE: Final = "certificate"
CONF_PRIVATE_KEY: Final = "private_key"
CONF_CA_CERTIFICATE: Final = "ca_certificate"
# Flow-only fields: the same PEM, uploaded as a file instead of pasted.
CONF_CERTIFICATE_FILE: Final = "certificate_file"
CONF_PRIVATE_KEY_FILE: Final = "private_key_file"

PORTAL_URL: Final = "https://sharemydata.pge.com/"

# PG&E serves California only: its days are Pacific days (the feeds' LocalTimeParameters say
# the same, -8 h with US DST rules).
PACIFIC: Final = ZoneInfo("America/Los_Angeles")

# A certificate this close to its end raises a repair issue.
CERTIFICATE_WARNING: Final = timedelta(days=30)

# Cadences. ReadServiceStatus hourly (24 requests a day); the daily data request at a fixed UTC
# time, after PG&E has published the previous Pacific day (10:17 PST / 11:17 PDT).
STATUS_INTERVAL: Final = timedelta(hours=1)
DAILY_REQUEST_HOUR_UTC: Final = 18
DAILY_REQUEST_MINUTE_UTC: Final = 17
# The daily request starts this long before the newest data received, so PG&E's corrections of
# the last days are picked up (and a missed day is asked again).
DAILY_OVERLAP: Final = timedelta(days=3)
# A usage point without data this long before the last day PG&E answered for (a closed service)
# no longer widens the daily request.
DORMANT_AFTER: Final = timedelta(days=14)
# A backfill window whose feeds could not all be stored is asked this many times in a run.
BACKFILL_TRIES: Final = 3
# A restart within this time of the last request does not ask again.
MIN_REQUEST_GAP: Final = timedelta(hours=12)
# PG&E notifies 10 s to 2 min after a request; past this a repair issue says to check the URL.
NOTIFICATION_TIMEOUT: Final = timedelta(minutes=15)

# The Authorization feed is read once a day (one request) and again when PG&E refuses a feed;
# an authorization this close to its authorized end raises a repair issue.
AUTHORIZATION_INTERVAL: Final = timedelta(days=1)
AUTHORIZATION_WARNING: Final = timedelta(days=30)

# Repair issues (their translation keys).
ISSUE_NOTIFICATION_MISSING: Final = "pge_notification_missing"
ISSUE_NOTIFY_URI_DIFFERS: Final = "pge_notify_uri_differs"
ISSUE_CERTIFICATE_EXPIRING: Final = "pge_certificate_expiring"
ISSUE_AUTHORIZATION_EXPIRING: Final = "pge_authorization_expiring"
ISSUE_AUTHORIZATION_ENDED: Final = "pge_authorization_ended"
