"""flask --app app purge [--dry-run], and flask --app app person export|forget NUMBER."""

import click
from flask import Flask

from ..exports import xlsx_bytes
from ..extensions import db
from ..privacy import mask_phone, normalise_phone


def register(app: Flask) -> None:
    app.cli.add_command(purge_command)
    app.cli.add_command(person)


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="count what would be anonymised, change nothing")
def purge_command(dry_run):
    """Anonymise personal data kept past its period (RETAIN_*_DAYS); audited."""
    from .services import purge

    report = purge(dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "would anonymise" if dry_run else "anonymised"
    for what, count in report.as_dict().items():
        click.echo(f"{verb} {count} {what.replace('_', ' ')}")


@click.group("person")
def person():
    """A person's data by mobile number: a copy for them, or erasure."""


def _number(raw: str) -> str:
    number = normalise_phone(raw)
    if len(number) < 7:
        raise click.BadParameter("give the whole number", param_hint="NUMBER")
    return number


@person.command("export")
@click.argument("number")
@click.option("--out", "out", type=click.Path(dir_okay=False), required=True,
              help="the .xlsx file to write")
def export_command(number, out):
    """Write every record of NUMBER to a spreadsheet for the person."""
    from .services import export_rows, find_person, record_export

    found = find_person(_number(number))
    header, rows = export_rows(found)
    with open(out, "wb") as handle:
        handle.write(xlsx_bytes(header, rows, title=mask_phone(found.number)))
    record_export(found, actor="cli")
    db.session.commit()
    click.echo(f"{len(rows)} records of {found.masked} written to {out}")


@person.command("forget")
@click.argument("number")
@click.option("--yes", is_flag=True, help="do not ask before erasing")
def forget_command(number, yes):
    """Erase NUMBER: anonymise its sign-ups and suggestion contacts, remove it from every
    text; audited with the number masked."""
    from .services import find_person, forget_person

    found = find_person(_number(number))
    click.echo(f"{found.masked}: {len(found.signups)} sign-ups, {len(found.suggestions)} "
               f"suggestions, {len(found.drafts)} drafts; names: {', '.join(found.names) or '-'}")
    if not yes:
        click.confirm("Erase all of it? This cannot be undone", abort=True)
    done = forget_person(found.number, actor="cli")
    db.session.commit()
    click.echo(f"forgotten: {done['signups']} sign-ups, {done['suggestions']} suggestions, "
               f"{done['drafts']} drafts, {done['texts']} texts cleaned")
