"""Webhooks: ``publish`` sends an event to the provider's systems that subscribed to it."""

from portfolio.webhooks.delivery import enrolment_facts, publish

__all__ = ["enrolment_facts", "publish"]
