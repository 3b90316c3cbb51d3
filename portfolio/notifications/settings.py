"""Each person's choice of email for their notifications."""

from sqlalchemy import case, func

from portfolio.accounts.models import User
from portfolio.audit import trail as audit
from portfolio.db import db
from portfolio.notifications.models import DEFAULT_CHOICE, EmailChoice, NotificationSetting


def email_choice_column():
    """A person's choice in SQL, their role's default when they have not chosen: for a query
    of User joined (outer) to NotificationSetting."""
    default = case(
        {role.value: choice.value for role, choice in DEFAULT_CHOICE.items()}, value=User.role
    )
    return func.coalesce(NotificationSetting.email, default)


def choice_of(user: User) -> EmailChoice:
    setting = db.session.get(NotificationSetting, user.id)
    return setting.email if setting else DEFAULT_CHOICE[user.role]


def choose(user: User, choice: EmailChoice) -> None:
    """Record the person's choice of email, with an audit event when it changes."""
    setting = db.session.get(NotificationSetting, user.id)
    before = setting.email if setting else DEFAULT_CHOICE[user.role]
    if setting is None:
        setting = NotificationSetting(user_id=user.id, email=choice)
        db.session.add(setting)
    setting.email = choice
    db.session.flush()
    if before is not choice:
        audit.record(
            "notifications.email_chosen", provider_id=user.provider_id, actor=user,
            object_type="user", object_id=user.id, before={"email": before.value},
            after={"email": choice.value}, summary=f"Chose notification email: {choice.value}",
        )  # fmt: skip
