"""``lms quiz ...`` commands."""

import click


@click.group()
def quiz():
    """Quiz tools for authors."""
