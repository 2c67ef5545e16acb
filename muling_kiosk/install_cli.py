"""flask setup, check-production and remove-demo-accounts: installing without the demo."""

import sys

import click

from .extensions import db

FLAGS = {"subdistrict": "--subdistrict", "admin": "--admin-username / --admin-password / "
         "--admin-pin", "community": "--community"}


def register(app) -> None:
    app.cli.add_command(setup_command)
    app.cli.add_command(check_production)
    app.cli.add_command(remove_demo_accounts)


def _ask(value, label: str, flag: str, missing: list, secret: bool = False):
    """A missing value: asked for when a person is at the terminal, else listed."""
    if value:
        return value
    if sys.stdin.isatty():
        return click.prompt(label, hide_input=secret, confirmation_prompt=secret)
    missing.append(flag)
    return ""


@click.command("setup")
@click.option("--subdistrict", help="the subdistrict's name, e.g. 某某街道")
@click.option("--subdistrict-en", default="", help="its English name (optional)")
@click.option("--subdistrict-slug", default="", help="its short name (default: from the "
              "English name)")
@click.option("--community", "community_specs", multiple=True,
              help="slug:名称[:English], once per community")
@click.option("--admin-username", help="the first admin's user name (whole subdistrict)")
@click.option("--admin-name", default="", help="the name people know them by (default: the "
              "user name)")
@click.option("--admin-password", help="at least 8 characters")
@click.option("--admin-pin", help="6 digits, for staff mode on a station tablet")
def setup_command(subdistrict, subdistrict_en, subdistrict_slug, community_specs,
                  admin_username, admin_name, admin_password, admin_pin):
    """First run without the demo: the schema, the subdistrict, its communities and the first
    admin. Refuses (exit 1, nothing changed) on a database that is already set up."""
    from flask_migrate import upgrade

    from .install import Plan, installed, parse_community, set_up
    from .validation import Invalid

    upgrade()
    if already := installed():
        raise click.ClickException(
            f"{already}. Nothing was changed. A subdistrict admin adds, renames and retires "
            "communities at /staff/communities and adds staff at /staff/people (or: flask "
            "--app app create-staff).")
    missing: list[str] = []
    plan = Plan(subdistrict=_ask(subdistrict, "Subdistrict (街道) name", "--subdistrict",
                                 missing),
                subdistrict_en=subdistrict_en, subdistrict_slug=subdistrict_slug,
                admin_name=admin_name)
    specs = list(community_specs)
    if not specs and sys.stdin.isatty():
        click.echo("Communities (社区), one a line as slug:名称[:English]; an empty line ends.")
        while spec := click.prompt("Community", default="", show_default=False):
            specs.append(spec)
    if not specs:
        missing.append("--community")
    try:
        plan.communities = [parse_community(spec) for spec in specs]
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--community") from None
    plan.admin_username = _ask(admin_username, "First admin's user name", "--admin-username",
                               missing)
    plan.admin_password = _ask(admin_password, "Their password", "--admin-password", missing,
                               secret=True)
    plan.admin_pin = _ask(admin_pin, "Their tablet PIN (6 digits)", "--admin-pin", missing,
                          secret=True)
    if missing:
        raise click.UsageError("missing (no terminal to ask at): " + ", ".join(missing))
    try:
        place, admin = set_up(plan)
    except Invalid as invalid:
        db.session.rollback()
        for where, message in invalid.errors.items():
            click.echo(f"{where}: {message}", err=True)
        raise click.ClickException("nothing was set up; correct the above and run it again") \
            from None
    db.session.commit()
    click.echo(f"set up {place.name} with {len(plan.communities)} communities: "
               + "、".join(f"{name} ({slug})" for slug, name, _en in plan.communities))
    click.echo(f"admin of the whole subdistrict: {admin.username}")
    click.echo("next: start with scripts/serve-production.sh, sign in at /staff/login and "
               "enroll each station's tablet at /staff/stations")


@click.command("check-production")
def check_production():
    """Exit 1 (saying why) while demo accounts exist or demo mode is on."""
    from .install import production_readiness

    readiness = production_readiness()
    for warning in readiness.warnings:
        click.echo(f"warning: {warning}", err=True)
    if readiness.problems:
        for problem in readiness.problems:
            click.echo(f"refused: {problem}", err=True)
        raise SystemExit(1)
    click.echo("ready for production")


@click.command("remove-demo-accounts")
def remove_demo_accounts():
    """Close the demo's accounts (jiedao, admin, zhuchi, gege) while their published
    password or PIN still works: deactivated, password and PIN gone; audited."""
    from .staff.demo import remove_demo_accounts as remove

    closed = remove()
    db.session.commit()
    click.echo(f"closed demo accounts: {', '.join(closed)}" if closed
               else "no demo accounts were open")
