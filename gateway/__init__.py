"""The gateway: the one entry point for web clients (routing, tokens, aggregation, rate limits)."""
