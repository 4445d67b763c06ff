"""Custom integrations (the test harness imports this package)."""
