"""Notifications: ``notify`` and ``notify_admins`` tell people what happened; ``settle``
marks read what asked someone to act once they have."""

from portfolio.notifications.events import notify, notify_admins, settle

__all__ = ["notify", "notify_admins", "settle"]
