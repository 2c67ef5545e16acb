"""Command-line verbs: flask --app app seed-demo (and more as features arrive)."""

import click
from flask import Flask

from . import install_cli
from .extensions import db
from .personal.cli import register as register_personal


def register(app: Flask) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_staff)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(seed_scale)
    install_cli.register(app)
    register_personal(app)


@click.command("seed-demo")
def seed_demo():
    """Add realistic demo data from the seed report; running it twice changes nothing."""
    from .demo import seed_demo as run

    for line in run():
        click.echo(line)
    db.session.commit()


@click.command("create-staff")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "facilitator", "volunteer"]), required=True)
@click.option("--community", "community_slug", help="slug of the community (omit for an admin "
              "of the whole subdistrict)")
@click.option("--subdistrict", "subdistrict_slug", help="slug of the subdistrict, when no "
              "community is given")
@click.option("--name", "display_name", help="the name people know this person by")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--pin", prompt="PIN (6 digits, empty for none)", default="", hide_input=True,
              show_default=False)
def create_staff(username, role, community_slug, subdistrict_slug, display_name, password, pin):
    """Create a staff account (asks for the password and PIN unless given as options)."""
    from sqlalchemy import select

    from .communities.models import Subdistrict
    from .communities.services import community_by_slug
    from .staff.services import create_staff as create
    from .validation import Invalid

    community = community_by_slug(community_slug) if community_slug else None
    if community_slug and community is None:
        raise click.BadParameter(f"no community {community_slug!r}", param_hint="--community")
    if community is not None:
        subdistrict_id = community.subdistrict_id
    else:
        query = select(Subdistrict)
        if subdistrict_slug:
            query = query.where(Subdistrict.slug == subdistrict_slug)
        subdistricts = db.session.scalars(query).all()
        if len(subdistricts) != 1:
            raise click.BadParameter("name the subdistrict or a community",
                                     param_hint="--subdistrict")
        subdistrict_id = subdistricts[0].id
    try:
        staff = create(username=username, display_name=display_name or username, role=role,
                       subdistrict_id=subdistrict_id,
                       community_id=community.id if community else None,
                       password=password, pin=pin or None)
    except Invalid as invalid:
        for field, message in invalid.errors.items():
            click.echo(f"{field}: {message}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(f"created {staff.username} ({staff.role})")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
def backup_command(path):
    """Back up the database to PATH (safe while the kiosk serves)."""
    from .backup import BackupError, backup

    try:
        written = backup(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"backup written to {written}")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="do not ask before replacing the data")
def restore_command(path, yes):
    """Replace the database's contents with the backup at PATH."""
    from .backup import BackupError, restore

    if not yes:
        click.confirm("Replace all current data with this backup?", abort=True)
    try:
        restore(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"restored from {path}")


@click.command("seed-scale")
@click.option("--factor", type=click.IntRange(1, 100), default=1, show_default=True,
              help="1 ≈ 5 communities × 2 years; N multiplies the communities")
def seed_scale(factor):
    """Add realistic data at scale for the benchmarks (after the demo data)."""
    import time

    from .demo import seed_demo as demo
    from .scale import seed_scale as scale

    started = time.monotonic()
    demo()
    db.session.commit()
    added = scale(factor, echo=click.echo)
    for table, count in sorted(added.items()):
        click.echo(f"{table:<18} {count:>10,}")
    click.echo(f"seeded factor {factor} in {time.monotonic() - started:.0f} s")
