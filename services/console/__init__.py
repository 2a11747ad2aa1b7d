"""The operator console (运维控制台): a read-only view of topics, consumer lag, dead letters and document traces."""
