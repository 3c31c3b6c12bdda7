"""``discuss import wordpress|disqus|json`` and ``discuss export``."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import IO, Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from flask import current_app
from flask.cli import with_appcontext

from .records import BadImport

#: Files smaller than this import without a progress bar.
PROGRESS_FROM_BYTES = 1_000_000


@click.group("import")
def import_group() -> None:
    """Import discussions from WordPress, Disqus or a discuss export (one transaction each)."""


def _zone(value: str | None) -> ZoneInfo | None:
    if not value:
        return None
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise click.BadParameter(f"not a time zone: {value!r} (use a name such as Europe/London)",
                                 param_hint="--timezone") from exc


class _Progress:
    """A binary file that moves a tqdm bar as it is read."""

    def __init__(self, file: IO[bytes], bar) -> None:
        self.file, self.bar = file, bar

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.bar.update(len(data))
        return data


@contextmanager
def _opened(path: str) -> Iterator[IO[bytes]]:
    from tqdm import tqdm

    size = os.path.getsize(path)
    with open(path, "rb") as file, tqdm(total=size, unit="B", unit_scale=True, desc="reading", file=sys.stderr,
                                         leave=False, disable=None if size >= PROGRESS_FROM_BYTES else True) as bar:
        yield _Progress(file, bar)


def _run(site: str, reader, screen: bool, create_site=None) -> None:
    from .store import run_import

    host = current_app.extensions["discuss"] if screen else None
    try:
        summary = run_import(site, reader, screen_with=host, create_site=create_site)
    except BadImport as exc:
        raise click.ClickException(f"nothing imported: {exc}") from exc
    for line in summary.lines():
        click.echo(line)


_file = click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
_site = click.option("--site", "site_slug", required=True, help="The site to import into (it must exist).")
_screen = click.option("--screen", is_flag=True,
                       help="Screen every new comment with the site's plugins; hold what they would hold.")
_tz = click.option("--timezone", "zone", default=None,
                   help="The zone of dates written without one (default UTC); see docs/import-export.md.")


@import_group.command("wordpress")
@_file
@_site
@_screen
@_tz
@click.option("--include-pingbacks", is_flag=True, help="Import pingbacks and trackbacks as comments too.")
@with_appcontext
def import_wordpress(path: str, site_slug: str, screen: bool, zone: str | None, include_pingbacks: bool) -> None:
    """Import a WordPress export (WXR, Tools > Export) into SITE."""
    from .wxr import Reader

    tz = _zone(zone)
    with _opened(path) as file:
        _run(site_slug, Reader(file, zone=tz, include_pingbacks=include_pingbacks), screen)


@import_group.command("disqus")
@_file
@_site
@_screen
@_tz
@with_appcontext
def import_disqus(path: str, site_slug: str, screen: bool, zone: str | None) -> None:
    """Import a Disqus export (XML) into SITE."""
    from .disqus import Reader

    tz = _zone(zone)
    with _opened(path) as file:
        _run(site_slug, Reader(file, zone=tz), screen)


@import_group.command("json")
@_file
@_screen
@with_appcontext
def import_json(path: str, screen: bool) -> None:
    """Import a `discuss export` document; its site is created when it does not exist."""
    from .jsondoc import Reader, create_site_from, load_document

    with open(path, "rb") as file:
        try:
            document = load_document(file)
        except BadImport as exc:
            raise click.ClickException(f"nothing imported: {exc}") from exc
    _run(document["site"]["slug"], Reader(document), screen, create_site=lambda: create_site_from(document))


@click.command("export")
@click.option("--site", "site_slug", required=True, help="The site to export.")
@click.option("--output", "output", default="-", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write to this file (default: standard output).")
@click.option("--include-personal-data", is_flag=True, help="Include commenters' email addresses.")
@with_appcontext
def export_command(site_slug: str, output: str, include_personal_data: bool) -> None:
    """Write SITE's settings, threads and comments as JSON (docs/import-export.md)."""
    from ..exporting import UnknownSite, export_site
    from ..transactions import end_read

    try:
        if output == "-":
            export_site(site_slug, sys.stdout, include_personal_data=include_personal_data)
        else:
            with open(output, "w", encoding="utf-8") as out:
                count = export_site(site_slug, out, include_personal_data=include_personal_data)
            click.echo(f"{count} comments of {site_slug} written to {output}", err=True)
    except UnknownSite:
        raise click.BadParameter(f"no site {site_slug!r}", param_hint="--site") from None
    finally:
        end_read()
