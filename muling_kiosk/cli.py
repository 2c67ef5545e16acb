"""Command-line verbs: flask --app app seed-demo (and more as features arrive)."""

import click
from flask import Flask

from .extensions import db


def register(app: Flask) -> None:
    app.cli.add_command(seed_demo)


@click.command("seed-demo")
def seed_demo():
    """Add realistic demo data from the seed report; running it twice changes nothing."""
    from .demo import seed_demo as run

    for line in run():
        click.echo(line)
    db.session.commit()
