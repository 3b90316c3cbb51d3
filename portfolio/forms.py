"""Form pieces shared by every package."""

from flask_wtf import FlaskForm


class EmptyForm(FlaskForm):
    """A form with nothing but its CSRF token, for POST-only buttons."""


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
