"""AlphaESS client."""
