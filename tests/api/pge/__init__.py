"""PG&E client, ESPI parser, notifications, TLS."""
