"""Form pieces shared by every package."""

import re

from flask import abort, request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import ImmutableMultiDict
from wtforms.validators import Length, NumberRange, ValidationError

from portfolio.text import length_problem


class _Wording:
    """WTForms' own messages where they would not tell a person what to type, through its
    translations hook; every other message is WTForms' as it is."""

    MESSAGES = {
        "Not a valid date value.": "Enter a real date, such as 2026-11-04 for 4 Nov 2026.",
        "Not a valid datetime value.": "Enter a real date and time, such as 2026-11-04 14:05.",
        "Not a valid integer value.": "Enter a whole number, such as 20.",
    }

    def gettext(self, message: str) -> str:
        return self.MESSAGES.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


class AppForm(FlaskForm):
    """The base of every form of the app: a field reads what a browser sends for it, text
    from the form's fields and a file field its file.

    Flask-WTF would also give a field a file sent under its name, or a value of a JSON body
    (a number, a list), and the field's validators fail on those with a server error; here
    neither is read, so the field is refused as empty, with its own message.
    """

    class Meta:
        def get_translations(self, form):
            return _Wording()

        def wrap_formdata(self, form, formdata):
            if formdata is None or hasattr(formdata, "getlist"):  # given by the caller
                return super().wrap_formdata(form, formdata)
            if not form.is_submitted():
                return None
            file_fields = {field.name for field in form if isinstance(field, FileField)}
            files = [(k, v) for k, v in request.files.items(multi=True) if k in file_fields]
            return ImmutableMultiDict([*request.form.items(multi=True), *files]) or None


class InRange(NumberRange):
    """NumberRange, quiet when the field holds no number: the field's own message (such as
    "Enter a whole number") has said what is wrong, once."""

    def __call__(self, form, field) -> None:
        if field.data is not None:
            super().__call__(form, field)


class EmptyForm(AppForm):
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


def refuse_nul_characters() -> None:
    """Refuse a request with a NUL character (U+0000) in its address or in a field, naming
    where: PostgreSQL cannot store one in text, and nothing a person types holds one."""
    if "\x00" in request.path:
        abort(400, "The address holds a NUL character (U+0000), which is not text.")
    for name, value in [*request.args.items(multi=True), *request.form.items(multi=True)]:
        if "\x00" in name or "\x00" in value:
            field = name.replace("\x00", "")[:50]
            abort(
                400,
                f"The field “{field}” holds a NUL character (U+0000), which is not text: "
                "remove it and send it again. Nothing was saved.",
            )


def attach_error(form: FlaskForm, error) -> None:
    """Show a DomainError next to the field it names, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def form_status(form: FlaskForm) -> int:
    """200 for a form shown afresh, 400 for one sent back with errors."""
    return 400 if request.method == "POST" else 200
