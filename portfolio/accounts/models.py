"""Training providers (the tenants) and the people who belong to them."""

import enum
import secrets
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.db import UTCDateTime, db, enum_column, utcnow


class Role(enum.StrEnum):
    LEARNER = "learner"
    ASSESSOR = "assessor"
    IQA = "iqa"
    ADMIN = "admin"
    EQA = "eqa"
    # An apprentice's line manager at their employer (portfolio.apprenticeships).
    EMPLOYER = "employer"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.LEARNER: "Learner",
    Role.ASSESSOR: "Assessor",
    Role.IQA: "Internal quality assurer (IQA)",
    Role.ADMIN: "Provider admin",
    Role.EQA: "External quality assurer (EQA, read-only)",
    Role.EMPLOYER: "Employer (line manager)",
}


class Provider(db.Model):
    """A training provider: a college, employer academy or training company."""

    __tablename__ = "provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # Submitted evidence should be marked within this many working days.
    marking_target_days: Mapped[int] = mapped_column(default=10, server_default="10")
    # A learner with no activity for this many days is at risk (red on the caseload), and
    # for two thirds of it amber.
    inactive_days: Mapped[int] = mapped_column(default=21, server_default="21")
    # The IANA time zone the provider's pages and PDFs show times in (portfolio.dates).
    time_zone: Mapped[str] = mapped_column(
        String(64), default="Europe/London", server_default="Europe/London"
    )
    # The roles whose people must use two-factor authentication, as their values separated by
    # commas (admins at first); and whether people who sign in through the provider's identity
    # service (SSO) must give this app's second factor too, rather than relying on its own.
    two_factor_roles: Mapped[str] = mapped_column(
        String(100), default="admin", server_default="admin"
    )
    two_factor_for_sso: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Apprenticeships' progress reviews fall due this many weeks apart, breaks in learning left
    # out (portfolio.apprenticeships.reviews).
    review_interval_weeks: Mapped[int] = mapped_column(default=12, server_default="12")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    users: Mapped[list["User"]] = relationship(back_populates="provider")

    @property
    def two_factor_role_set(self) -> frozenset[Role]:
        values = {role.value for role in Role}
        return frozenset(Role(v) for v in self.two_factor_roles.split(",") if v in values)

    def __repr__(self) -> str:
        return f"<Provider {self.name!r}>"


class User(UserMixin, db.Model):
    """A person with an account at one provider, in one role."""

    __tablename__ = "user_account"
    # A provider's staff in a role are found without reading its thousands of learners
    # (the dashboard's assessor filter); the index serves look-ups by provider alone too.
    __table_args__ = (
        Index("ix_user_account_provider_role", "provider_id", "role"),
        UniqueConstraint("provider_id", "mis_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"))
    # Stored lower-cased: sign-in matches email addresses without regard to case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role", 16), index=True)
    # None until the person chooses a password from their invitation (accounts.invitations).
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    # Assessors only: new assessors have more of their decisions sampled by IQAs.
    new_assessor: Mapped[bool] = mapped_column(default=False, server_default="0")
    # EQAs only: the last day their read-only access works.
    access_expires_on: Mapped[date | None]
    # Learners onboarded from the provider's management information system: its id for the
    # learner (what a re-import matches on) and the Unique Learner Number (ten digits).
    mis_id: Mapped[str | None] = mapped_column(String(64))
    uln: Mapped[str | None] = mapped_column(String(10))
    # Employers only: the organisation they work for (portfolio.apprenticeships.models).
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer.id"), index=True)
    # Changes on every password change or deactivation, which signs out every session.
    session_token: Mapped[str] = mapped_column(
        String(64), default=lambda: secrets.token_urlsafe(24)
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-factor authentication (accounts.one_time_codes): the base32 secret of the person's
    # authenticator app, None until they set it up; the 30-second time step of the last code
    # accepted, so that no code is accepted twice; and when it was set up.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None]
    two_factor_since: Mapped[datetime | None] = mapped_column(UTCDateTime)

    provider: Mapped[Provider] = relationship(back_populates="users")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active and not self.access_expired()

    def access_expired(self, today: date | None = None) -> bool:
        if self.access_expires_on is None:
            return False
        return (today or date.today()) > self.access_expires_on

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_secret is not None

    def rotate_session_token(self) -> None:
        self.session_token = secrets.token_urlsafe(24)

    def __repr__(self) -> str:
        return f"<User {self.email!r} {self.role.value}>"


# The accounts table under the name of the part a person plays, for statements that join it
# more than once (an enrolment's learner beside its assessor). Each is made once, here: an
# alias makes a copy of every column of the table the first time one of them is used.
LEARNER = User.__table__.alias("learner")
ASSESSOR = User.__table__.alias("assessor")


class SignInFailure(db.Model):
    """One refused sign-in, counted to throttle guessing; the key is an email or an address."""

    __tablename__ = "sign_in_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def normalise_email(email: str) -> str:
    return email.strip().lower()
