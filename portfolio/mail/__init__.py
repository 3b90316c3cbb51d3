"""Email: ``send`` renders a message from ``templates/mail/`` and queues its delivery;
``send_many`` does so for several messages delivered by one job."""

from portfolio.mail.sending import send, send_many

__all__ = ["send", "send_many"]
