"""The project's command line: ``python -m <package> COMMAND``."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click

from .blocks import BlockError
from .config import Mapping, MappingError, find_mapping_file, load_mapping
from .describe import describe_mapping
from .docs import refresh_docs


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(2)


def _load(mapping_file: Path | None) -> tuple[Path, Mapping]:
    try:
        path = mapping_file or find_mapping_file()
        return path.resolve().parent, load_mapping(path)
    except MappingError as err:
        _fail(str(err))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--mapping", "mapping_file", type=click.Path(dir_okay=False, path_type=Path),
              envvar="MVP_MAPPING", show_envvar=True,
              help="The mapping file (default: mvp.yaml here or in a parent folder).")
@click.pass_context
def main(ctx: click.Context, mapping_file: Path | None) -> None:
    """Run the steps of this ML MVP; every step reads mvp.yaml."""
    ctx.obj = mapping_file


@main.command()
@click.pass_obj
def show(mapping_file: Path | None) -> None:
    """Print the business-to-technical mapping in plain words."""
    _, mapping = _load(mapping_file)
    click.echo(mapping.project.name)
    for label, sentence in describe_mapping(mapping):
        click.echo(f"  {label:<12} {sentence}")


@main.command()
@click.pass_obj
def refresh(mapping_file: Path | None) -> None:
    """Update the machine-written blocks of README.md and CHECKLIST.md from mvp.yaml.

    Only the text between the mvpgen:begin/end markers changes; everything else in
    those files is yours and is kept as it is.
    """
    root, mapping = _load(mapping_file)
    try:
        changed = refresh_docs(root, mapping)
    except BlockError as err:
        _fail(f"{err}; nothing was written")
    for path in changed:
        click.echo(f"updated {path.name}")
