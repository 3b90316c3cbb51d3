"""Awarding bodies, qualifications, units and their versioned criteria sets."""

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.db import UTCDateTime, db, utcnow

qualification_unit = Table(
    "qualification_unit",
    db.metadata,
    Column("qualification_id", ForeignKey("qualification.id"), primary_key=True),
    Column("unit_id", ForeignKey("unit.id"), primary_key=True),
)


class AwardingBody(db.Model):
    __tablename__ = "awarding_body"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    qualifications: Mapped[list["Qualification"]] = relationship(
        back_populates="awarding_body", order_by="Qualification.title"
    )
    units: Mapped[list["Unit"]] = relationship(
        back_populates="awarding_body", order_by="Unit.title"
    )


class Qualification(db.Model):
    __tablename__ = "qualification"
    __table_args__ = (UniqueConstraint("awarding_body_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    awarding_body_id: Mapped[int] = mapped_column(ForeignKey("awarding_body.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    level: Mapped[int]

    awarding_body: Mapped[AwardingBody] = relationship(back_populates="qualifications")
    units: Mapped[list["Unit"]] = relationship(
        secondary=qualification_unit, back_populates="qualifications", order_by="Unit.title"
    )


class Unit(db.Model):
    """A unit as one awarding body specifies it; its criteria live in versioned sets."""

    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("awarding_body_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    awarding_body_id: Mapped[int] = mapped_column(ForeignKey("awarding_body.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    # Title and level of the newest version, kept here for lists.
    title: Mapped[str] = mapped_column(String(300))
    level: Mapped[int]

    awarding_body: Mapped[AwardingBody] = relationship(back_populates="units")
    qualifications: Mapped[list[Qualification]] = relationship(
        secondary=qualification_unit, back_populates="units", order_by="Qualification.title"
    )
    criteria_sets: Mapped[list["CriteriaSet"]] = relationship(
        back_populates="unit", order_by="CriteriaSet.version"
    )

    @property
    def current(self) -> "CriteriaSet":
        return self.criteria_sets[-1]


class CriteriaSet(db.Model):
    """One version of a unit's specification: outcomes, criteria, requirements, guidance."""

    __tablename__ = "criteria_set"
    __table_args__ = (UniqueConstraint("unit_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    version: Mapped[int]
    # SHA-256 of the file's parsed content: an unchanged file imports as no change.
    content_hash: Mapped[str] = mapped_column(String(64))
    source_name: Mapped[str] = mapped_column(String(300))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    title: Mapped[str] = mapped_column(String(300))
    level: Mapped[int]
    numbering: Mapped[str] = mapped_column(String(20))
    numbering_note: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    guidance_html: Mapped[str] = mapped_column(Text, default="")
    evidence_requirements: Mapped[list[dict]] = mapped_column(JSON, default=list)
    # The whole file as imported, read only for the unit's guidance: deferred, so that the
    # lists of enrolments, which load their criteria version, do not carry it row by row.
    document: Mapped[dict] = mapped_column(JSON, deferred=True)

    unit: Mapped[Unit] = relationship(back_populates="criteria_sets")

    @property
    def guidance(self) -> str:
        """The unit's guidance for learners as the criteria file gives it (Markdown)."""
        return (self.document or {}).get("guidance") or ""
    outcomes: Mapped[list["LearningOutcome"]] = relationship(
        back_populates="criteria_set", order_by="LearningOutcome.number"
    )
    criteria: Mapped[list["Criterion"]] = relationship(
        back_populates="criteria_set", order_by="Criterion.position"
    )


class LearningOutcome(db.Model):
    __tablename__ = "learning_outcome"
    __table_args__ = (UniqueConstraint("criteria_set_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    criteria_set_id: Mapped[int] = mapped_column(ForeignKey("criteria_set.id"), index=True)
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)

    criteria_set: Mapped[CriteriaSet] = relationship(back_populates="outcomes")
    criteria: Mapped[list["Criterion"]] = relationship(
        back_populates="outcome", order_by="Criterion.position"
    )


class Criterion(db.Model):
    """An assessment criterion, numbered LO.AC, with its exact text from the specification."""

    __tablename__ = "criterion"
    __table_args__ = (UniqueConstraint("criteria_set_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    criteria_set_id: Mapped[int] = mapped_column(ForeignKey("criteria_set.id"), index=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("learning_outcome.id"), index=True)
    number: Mapped[str] = mapped_column(String(20))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)

    criteria_set: Mapped[CriteriaSet] = relationship(back_populates="criteria")
    outcome: Mapped[LearningOutcome] = relationship(back_populates="criteria")
