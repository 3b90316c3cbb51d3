"""Notifications: ``notify`` and ``notify_admins`` tell people what happened."""

from portfolio.notifications.events import notify, notify_admins

__all__ = ["notify", "notify_admins"]
