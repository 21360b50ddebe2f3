"""The ``mvpgen`` command line: parse, call one library function, print, map errors.

Only click is imported at start-up; everything else is imported by the command that
needs it, so ``mvpgen --help`` stays fast.
"""

from __future__ import annotations

import math
import os
import shlex
from pathlib import Path
from typing import Any

import click

from mvpgen import __version__

TASKS = ("binary", "multiclass", "regression")
# 0 success, 1 findings, 2 bad usage or input; a crash is none of these, so that a
# script checking for findings never mistakes one for the other.
BUG_EXIT_CODE = 3


class _Group(click.Group):
    """A group that reports mvpgen's errors as one line and the right exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        from mvpgen.errors import MvpgenError

        try:
            return super().invoke(ctx)
        except MvpgenError as err:
            if _debug(ctx):
                raise
            for finding in getattr(err, "findings", ()):
                click.echo(str(finding), err=True)
            click.echo(f"Error: {err}", err=True)
            ctx.exit(err.exit_code)
        except click.UsageError as err:
            # One line, like every other error: what is wrong, and where the help is.
            command = err.ctx.command_path if err.ctx else "mvpgen"
            click.echo(f"Error: {err.format_message()} (see '{command} --help')", err=True)
            ctx.exit(err.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # click reports its own errors and exits
        except Exception as err:  # a bug, not bad input: say so in one line
            if _debug(ctx):
                raise
            click.echo(f"Error: unexpected {type(err).__name__}: {err} — run "
                       "'mvpgen --debug ...' to see where, and please report it", err=True)
            ctx.exit(BUG_EXIT_CODE)


def _debug(ctx: click.Context) -> bool:
    return bool(ctx.params.get("debug")) or os.environ.get("MVPGEN_DEBUG") == "1"


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="mvpgen")
@click.option("--debug", is_flag=True, help="Show tracebacks (also MVPGEN_DEBUG=1).")
def main(debug: bool) -> None:
    r"""Turn a business problem and a data extract into an honest, runnable ML MVP.

    Exit codes: 0 success, 1 the mapping has findings, 2 bad usage or bad input,
    3 mvpgen itself failed (please report it).

    \b
    Start with a bundled example:
      mvpgen new churn-demo --example churn --no-input
    or with your own data, answering a few questions:
      mvpgen new my-mvp --data customers.csv
    """


def _metric(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from mvpgen.template import schema

    names = list(schema().METRICS)
    if value not in names:
        msg = f"'{value}' is not a metric; choose one of: {', '.join(names)}"
        raise click.BadParameter(msg)
    return value


def _complete_metric(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    from mvpgen.template import schema

    return [name for name in schema().METRICS if name.startswith(incomplete)]


def _complete_example(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    from mvpgen.template import examples_dir

    names = sorted(p.parent.name for p in examples_dir().glob("*/mvp.yaml"))
    return [name for name in names if name.startswith(incomplete)]


def _finite(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):
        msg = f"{value} is not a finite number; give the metric value, e.g. 0.7"
        raise click.BadParameter(msg)
    return value


@main.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--mapping", "mapping_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A mapping file (mvp.yaml) with the answers.")
@click.option("--example", metavar="NAME", shell_complete=_complete_example,
              help="Use a bundled example's mapping and data (list: mvpgen examples).")
@click.option("--data", type=click.Path(dir_okay=False, path_type=Path),
              help="The data extract, CSV or Parquet; it is only read, never changed.")
@click.option("--name", help="The project's name (default: the DIRECTORY's name).")
@click.option("--target", metavar="COLUMN", help="The column the model predicts.")
@click.option("--task", type=click.Choice(TASKS), help="Inferred from the target when omitted.")
@click.option("--positive-label", metavar="VALUE",
              help="Binary tasks: the target value the KPI counts (inferred when obvious).")
@click.option("--metric", metavar="NAME", callback=_metric, shell_complete=_complete_metric,
              help="The offline metric, e.g. roc_auc, recall, f1_macro, mae, r2.")
@click.option("--threshold", type=float, metavar="X", callback=_finite,
              help="The metric value that counts as success offline.")
@click.option("--no-input", is_flag=True,
              help="Ask nothing: a missing answer is an error naming the option to pass.")
@click.option("--allow-findings", is_flag=True,
              help="Generate despite findings about the business question; they are "
                   "recorded in CHECKLIST.md.")
@click.option("--no-run", is_flag=True,
              help="Only generate the project; run nothing (later: make all).")
@click.option("--eda", "eda_mode", type=click.Choice(["quick", "full", "off"]),
              default="quick", show_default=True,
              help="quick profiles a sample of up to 100,000 rows; full every row with "
                   "every statistic (slower); off skips the profile.")
@click.option("--quiet", "-q", is_flag=True,
              help="No progress and no data overview: the summary and errors only.")
def new(directory: Path | None, mapping_file: Path | None, example: str | None,
        data: Path | None, name: str | None, target: str | None, task: str | None,
        positive_label: str | None, metric: str | None, threshold: float | None,
        no_input: bool, allow_findings: bool, no_run: bool, eda_mode: str,
        quiet: bool) -> None:
    """Generate an ML MVP project in DIRECTORY (default: named after the project).

    Answers come from --mapping (or --example), then from the options, which win over
    the file; whatever is still missing is asked for, one question at a time. The
    mapping is checked first, and nothing is written unless it is sound. An existing,
    non-empty DIRECTORY is never touched.

    With data (--data, --example, or data.path in the mapping), the project's own
    pipeline then runs: the EDA report, the baseline with its verdict, the review
    set and the checklist, ending with a summary. If a step fails, the project is
    kept and the message says how to run that step again.
    """
    from mvpgen.new import NewRequest, create_project

    overrides = {"project.name": name, "technical.target": target, "technical.task": task,
                 "technical.positive_label": positive_label, "technical.metric": metric,
                 "technical.threshold": threshold}
    request = NewRequest(directory=directory, mapping_file=mapping_file, example=example,
                         data=data, overrides=overrides, interactive=not no_input,
                         allow_findings=allow_findings,
                         echo=(lambda line: None) if quiet else click.echo)
    made = create_project(request)
    if not quiet:
        for field, value in made.inferred.items():
            click.echo(f"inferred {field}: {value!r}")
        for finding in made.findings:
            click.echo(f"recorded in CHECKLIST.md: {finding}")
    shown = shlex.quote(_shown(made.path))
    click.echo(f"Created {_shown(made.path)} (package {made.package})")
    if no_run or not made.has_data:
        later = "make all    # EDA, baseline, review" if made.has_data else (
            "make show    # then put the data in data/raw/, set data.path, make all")
        click.echo(f"Next: cd {shown} && {later}")
        return
    from mvpgen.inspection import forget_reads
    from mvpgen.pipeline import run_pipeline

    forget_reads()  # the pipeline reads the data itself; a million rows twice is too many
    result = run_pipeline(made.path, made.package, eda=eda_mode, quiet=quiet)
    click.echo(result.summary)
    if not quiet:
        click.echo(f"(in {result.seconds['total']:.0f} s; run it again with: cd {shown} && "
                   "make all)")


def _shown(path: Path) -> str:
    """Return ``path`` relative to the working directory when it lies below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@main.command()
def examples() -> None:
    """List the bundled examples, each a business question with its data.

    Generate one with: mvpgen new DIRECTORY --example NAME
    """
    from mvpgen.catalog import list_examples

    for example in list_examples():
        click.echo(f"{example.name:<10} {example.task:<11} {example.title}: "
                   f"{example.requirement} ({example.rows:,} rows)")
    click.echo("Try: mvpgen new my-mvp --example churn --no-input")


@main.command()
@click.argument("file_or_project", type=click.Path(path_type=Path))
def check(file_or_project: Path) -> None:
    """Check a mapping file (or a project's mvp.yaml): one line per finding.

    Exit code 0 when the mapping is sound, 1 with findings, 2 when it cannot be read.
    """
    from mvpgen.answers import read_mapping_file
    from mvpgen.checks import check_mapping

    path = file_or_project / "mvp.yaml" if file_or_project.is_dir() else file_or_project
    findings = check_mapping(read_mapping_file(path), path.resolve().parent)
    for finding in findings:
        click.echo(str(finding))
    if findings:
        click.echo(f"{path}: {len(findings)} finding(s)", err=True)
        raise SystemExit(1)
    click.echo(f"{path}: sound")


@main.command()
@click.argument("project", required=False, default=".",
                type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True,
              help="Print the same as a stable JSON document (schema_version 1).")
def status(project: Path, as_json: bool) -> None:
    """Show where a generated PROJECT (default: here) stands on the five questions.

    Each question is answered, has evidence, or is open, with its key figure; the
    last line is the next step. Works at any stage, from a fresh project to one with
    reviewers' labels. Exit code 1 when mvp.yaml is invalid, else 0.
    """
    from mvpgen.status import project_status, render

    state = project_status(project)
    if as_json:
        import json

        click.echo(json.dumps(state, indent=2, ensure_ascii=False))
    else:
        click.echo(render(state))
    if state["stage"] == "invalid mapping":
        raise SystemExit(1)
