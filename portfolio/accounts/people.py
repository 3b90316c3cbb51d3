"""Creating and changing accounts: what a provider admin and the shell can do to people."""

from datetime import date

from sqlalchemy import func, or_, select

from portfolio.accounts.models import Provider, Role, User, normalise_email
from portfolio.accounts.passwords import hash_password, password_problem, verify_password
from portfolio.audit import trail as audit
from portfolio.dates import format_date, local_today
from portfolio.db import db
from portfolio.errors import DomainError
from portfolio.text import check_length, check_line

# The longest name and email address, in characters, as their columns hold.
NAME_LIMIT = 200
EMAIL_LIMIT = 254


def check_name(name: str) -> None:
    if not name.strip():
        raise DomainError("Enter the person's full name.", field="name")
    check_line(name.strip(), NAME_LIMIT, "Full name", field="name")


def email_problem(email: str) -> str | None:
    """Why mail could not be sent to this address, if it could not: email-validator's check
    of its shape, with no letters outside ASCII before the @ (mail from here is sent without
    SMTPUTF8, which few servers offer); None for a good one."""
    from email_validator import EmailNotValidError, validate_email  # only where people are added

    try:
        validate_email(email, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        return f"“{email}” is not an email address mail can be sent to: {error}"
    return None


def create_person(
    provider: Provider,
    *,
    name: str,
    email: str,
    role: Role,
    password: str | None = None,
    access_expires_on: date | None = None,
    actor: User | None = None,
) -> User:
    """Add an account to a provider; refuses a used email address or a weak password.

    Without a password the account has none until its person accepts an invitation
    (``accounts.invitations.invite``, which the caller sends)."""
    email = normalise_email(email)
    check_name(name)
    check_length(email, EMAIL_LIMIT, "Email address", field="email")
    if problem := email_problem(email):
        raise DomainError(problem, field="email")
    holder = db.session.scalar(select(User).where(User.email == email))
    if holder is not None:
        # Another provider's account is not named: its people are not this provider's to see.
        if holder.provider_id == provider.id:
            raise DomainError(
                f"{holder.name}, {holder.role.label.lower()}, already has an account with this "
                "email address, and an email address belongs to one account only. Open their "
                "account instead, or use another address.",
                field="email",
            )
        raise DomainError("This email address is already in use.", field="email")
    if password is not None:
        problem = password_problem(password, email=email, name=name)
        if problem:
            raise DomainError(problem, field="password")
    check_expiry(role, access_expires_on)
    today = local_today(provider.time_zone)
    if role is Role.EQA and access_expires_on < today:
        # A new account that could never sign in; an existing one's access is ended by
        # giving it a past date, on its own page.
        raise DomainError(f"The end date must be today ({format_date(today)}) or later.",
                          field="access_expires_on")  # fmt: skip
    user = User(
        provider=provider,
        name=name.strip(),
        email=email,
        role=role,
        password_hash=hash_password(password) if password is not None else None,
        access_expires_on=access_expires_on if role is Role.EQA else None,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "account.created", provider_id=user.provider_id, actor=actor, object_type="user",
        object_id=user.id, learner_id=user.id if role is Role.LEARNER else None,
        after=_account_state(user), summary=f"Created the {role.label.lower()} account of {user.name}",
    )  # fmt: skip
    return user


def lookalikes(provider_id: int, name: str, email: str) -> list[User]:
    """The provider's people who may be the person about to be added: the same name
    (ignoring case and spaces around it) or the same email address, by name."""
    return db.session.scalars(
        select(User)
        .where(
            User.provider_id == provider_id,
            or_(
                func.lower(func.trim(User.name)) == " ".join(name.split()).lower(),
                User.email == normalise_email(email),
            ),
        )
        .order_by(User.name, User.id)
        .limit(10)
    ).all()


def _account_state(user: User) -> dict:
    return {
        "name": user.name, "email": user.email, "role": user.role.value, "active": user.active,
        "access_expires_on": user.access_expires_on.isoformat() if user.access_expires_on else None,
        "new_assessor": user.new_assessor,
    }  # fmt: skip


def check_expiry(role: Role, access_expires_on: date | None) -> None:
    if role is Role.EQA and access_expires_on is None:
        raise DomainError("An EQA's access needs an end date.", field="access_expires_on")


def update_person(
    admin: User,
    user: User,
    *,
    name: str,
    role: Role,
    active: bool,
    access_expires_on: date | None,
    new_assessor: bool = False,
) -> User:
    """Change an account; an admin cannot lock themselves out. Its password is the person's
    own: they change it themselves or reset it by email."""
    if user.id == admin.id and (role is not Role.ADMIN or not active):
        raise DomainError(
            "You cannot remove your own admin role or deactivate yourself; "
            "ask another admin to do it.",
            field="role" if role is not Role.ADMIN else "active",
        )
    if role is Role.EMPLOYER and user.role is not Role.EMPLOYER:
        # An employer account belongs to an employer organisation: it is added there.
        raise DomainError("Line managers are added on their employer's page (Employers), which "
                          "links them to it.", field="role")  # fmt: skip
    check_name(name)
    check_expiry(role, access_expires_on)
    before = _account_state(user)
    user.name = name.strip()
    user.role = role
    user.new_assessor = new_assessor and role is Role.ASSESSOR
    user.access_expires_on = access_expires_on if role is Role.EQA else None
    if user.active and not active:
        user.rotate_session_token()
    user.active = active
    db.session.flush()
    after = _account_state(user)
    audit.record(
        "account.changed", provider_id=user.provider_id, actor=admin, object_type="user",
        object_id=user.id, learner_id=user.id if user.role is Role.LEARNER else None,
        before=before, after=after, summary=f"Changed the account of {user.name}",
    )  # fmt: skip
    return user


def change_own_password(user: User, current: str, new: str) -> None:
    if user.password_hash is None or not verify_password(user.password_hash, current):
        raise DomainError("Your current password is not right.", field="current_password")
    if new == current:
        raise DomainError("Choose a new password, not the one you have now.", field="new_password")
    problem = password_problem(new, email=user.email, name=user.name)
    if problem:
        raise DomainError(problem, field="new_password")
    user.password_hash = hash_password(new)
    user.rotate_session_token()
    db.session.flush()
    audit.record(
        "account.password_changed", provider_id=user.provider_id, actor=user, object_type="user",
        object_id=user.id, summary=f"{user.name} changed their password",
    )  # fmt: skip
