"""Email: ``send`` renders a message from ``templates/mail/`` and queues its delivery."""

from portfolio.mail.sending import send

__all__ = ["send"]
