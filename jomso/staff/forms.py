from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from jomso.audit.models import KIND_LABELS
from jomso.permissions import ROLE_LABELS, Role


class RolesField(SelectMultipleField):
    """One checkbox per role."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _role_choices():
    return [(role.value, ROLE_LABELS[role]) for role in Role]


class StaffForm(FlaskForm):
    """Name and roles of a staff member (the edit page)."""

    name = StringField(_l("Name"), validators=[Length(max=200)])
    roles = RolesField(_l("Roles"), choices=_role_choices, validate_choice=True)

    def validate_roles(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one role."))


class StaffCreateForm(StaffForm):
    email = EmailField(
        _l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    password = PasswordField(_l("Initial password"), validators=[Optional(), Length(max=1024)])
    confirm = PasswordField(
        _l("Initial password again"),
        validators=[EqualTo("password", message=_l("The two passwords are not the same."))],
    )


CUSTOMER_SORTS = {
    "newest": _l("Newest accounts first"),
    "oldest": _l("Oldest accounts first"),
    "name": _l("Name, A to Z"),
    "email": _l("Email, A to Z"),
    "orders": _l("Most orders first"),
    "spent": _l("Most spent first"),
}


class CustomerSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    q = StringField(_l("Name or email contains"), validators=[Optional(), Length(max=200)])
    sort = SelectField(_l("Sort"), choices=list(CUSTOMER_SORTS.items()), default="newest")


def _kind_choices():
    return [("", _l("All kinds"))] + [(kind.value, label) for kind, label in KIND_LABELS.items()]


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter form

    staff = SelectField(_l("Staff member"), coerce=str, validate_choice=False, default="")
    customer = StringField(_l("Customer id or email"), validators=[Optional(), Length(max=254)])
    kind = SelectField(_l("Kind"), choices=_kind_choices, default="")
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))


class NotificationsForm(FlaskForm):
    """A staff member's own notification choices."""

    new_orders = BooleanField(_l("Email me each new order"))
