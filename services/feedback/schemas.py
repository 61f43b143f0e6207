"""Request and response schemas of the feedback service (the API contract)."""
