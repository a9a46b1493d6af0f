"""``flask --app app create-staff EMAIL --role ROLE [--role ROLE] [--name NAME]``."""

from __future__ import annotations

import sys

import click
from email_validator import EmailNotValidError, validate_email

from jomso.accounts.lookup import find_user_by_email
from jomso.accounts.validation import Invalid, check_password
from jomso.permissions import Role
from jomso.staff.blueprint import bp
from jomso.staff.services import StaffError, create_staff, parse_roles

ROLE_NAMES = ", ".join(r.value for r in Role)


@bp.cli.command("create-staff")
@click.argument("email")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    metavar="ROLE",
    help=f"A role to give ({ROLE_NAMES}); repeat for several.",
)
@click.option("--name", default="", help="The staff member's name.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of asking.",
)
def create_staff_command(email: str, roles: tuple[str, ...], name: str, password_stdin: bool):
    """Create a staff account with the given roles, or add the roles to an existing account.

    Asks for the password twice (hidden), unless --password-stdin is given. The password must
    have at least 10 characters and be hard to guess.
    """
    try:
        wanted = parse_roles(roles)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--role") from None
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="EMAIL") from None

    existing = find_user_by_email(email)
    password = None
    if existing is None:
        password = _read_password(email, name, password_stdin)
    try:
        user, created = create_staff(email, password, wanted, name=name)
    except StaffError as error:
        raise click.ClickException(str(error)) from None
    roles_now = ", ".join(user.role_names)
    if created:
        click.echo(f"Created staff account {user.email} (id {user.id}) with roles: {roles_now}.")
    else:
        click.echo(
            f"{user.email} already has an account (id {user.id}); its password is unchanged. "
            f"Roles now: {roles_now}."
        )


def _read_password(email: str, name: str, from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        problems = _password_problems(password, email, name)
        if problems:
            raise click.ClickException("Password refused: " + " ".join(problems))
        return password
    for _attempt in range(3):
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        problems = _password_problems(password, email, name)
        if not problems:
            return password
        click.echo("Password refused: " + " ".join(problems), err=True)
    raise click.ClickException("No acceptable password given.")


def _password_problems(password: str, email: str, name: str) -> list[str]:
    try:
        check_password(password, email=email, name=name)
    except Invalid as error:
        return [str(error)]
    return []
