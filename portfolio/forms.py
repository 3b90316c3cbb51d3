"""Form pieces shared by every package."""

import re

from flask_wtf import FlaskForm
from wtforms.validators import Length, ValidationError

from portfolio.text import length_problem


class EmptyForm(FlaskForm):
    """A form with nothing but its CSRF token, for POST-only buttons."""


class MaxLength(Length):
    """At most ``limit`` characters as typed, also set as the field's maxlength attribute;
    over it, the message names the field (its label without a note in brackets) and the limit."""

    def __init__(self, limit: int):
        super().__init__(max=limit)

    def __call__(self, form, field) -> None:
        what = re.sub(r"\s*\([^)]*\)$", "", field.label.text)
        problem = length_problem(field.data or "", self.max, what)
        if problem:
            raise ValidationError(problem)


def attach_error(form: FlaskForm, error) -> None:
    """Show a DomainError next to the field it names, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def form_status(form: FlaskForm) -> int:
    """200 for a form shown afresh, 400 for one sent back with errors."""
    from flask import request

    return 400 if request.method == "POST" else 200
