"""The microservice chassis: configuration, database, bus, outbox, inbox, auth, errors, health,
logs, metrics. No domain code."""
