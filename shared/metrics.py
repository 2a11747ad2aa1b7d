"""Prometheus metrics every service exposes on /metrics."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        self.consumed = Counter(
            "govpub_events_consumed_total", "Events consumed", ["service", "topic"], registry=self.registry
        )
        self.produced = Counter(
            "govpub_events_produced_total", "Events published by the outbox relay", ["service", "topic"],
            registry=self.registry,
        )
        self.failed = Counter(
            "govpub_events_failed_total", "Batches whose handler failed (they are redelivered)", ["service", "topic"],
            registry=self.registry,
        )
        self.dead_letters = Counter(
            "govpub_dead_letters_total", "Records sent to the dead-letter topic", ["service", "topic"],
            registry=self.registry,
        )
        self.handler_seconds = Histogram(
            "govpub_handler_seconds", "Time to handle one batch", ["service", "topic"], registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.lag = Gauge(
            "govpub_consumer_lag", "Consumer lag per partition, from the consumer's own fetches",
            ["service", "group", "topic", "partition"], registry=self.registry,
        )
        self.outbox_backlog = Gauge(
            "govpub_outbox_backlog", "Events in the outbox not yet published", ["service"], registry=self.registry
        )
        self.service = service

    def on_consumed(self, topic: str, count: int, seconds: float) -> None:
        self.consumed.labels(self.service, topic).inc(count)
        self.handler_seconds.labels(self.service, topic).observe(seconds)

    def on_published(self, topic: str, count: int) -> None:
        self.produced.labels(self.service, topic).inc(count)

    def on_dead_letter(self, topic: str) -> None:
        self.dead_letters.labels(self.service, topic).inc()
