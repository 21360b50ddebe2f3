"""The project's command line: ``python -m <package> COMMAND``."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from .blocks import BlockError
from .config import Mapping, MappingError, find_mapping_file, load_mapping
from .data import DataError
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


class _Group(click.Group):
    """Report the problems a user can fix in one line (exit 2), and crashes briefly (exit 3)."""

    def invoke(self, ctx: click.Context) -> Any:
        from .artifacts import ModelError

        try:
            return super().invoke(ctx)
        except (DataError, BlockError, MappingError, ModelError) as err:
            _fail(str(err))
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as err:
            if os.environ.get("MVP_DEBUG") == "1":
                raise
            click.echo(f"Error: unexpected {type(err).__name__}: {err} — run again with "
                       "MVP_DEBUG=1 to see where", err=True)
            raise SystemExit(3) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
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
    from .checklist import refresh_checklist

    try:
        changed = refresh_docs(root, mapping)
        if refresh_checklist(root, mapping) and root / "CHECKLIST.md" not in changed:
            changed.append(root / "CHECKLIST.md")
    except BlockError as err:
        _fail(f"{err}; nothing was written")
    for path in changed:
        click.echo(f"updated {path.name}")


_RUN_STEP = "mvp.run_step"  # set by `run`: the step whose progress is being shown


def _progress(quiet: bool) -> Callable[[str], None]:
    """Return how a step reports what it is doing: a line on stderr, or nothing.

    Under `run`, each line names its step ("[baseline] Fitting ..."), whatever
    ``quiet`` says, so that whoever runs the pipeline can show where it is.
    """
    step = click.get_current_context().meta.get(_RUN_STEP)
    if step is not None:
        return lambda message: click.echo(f"[{step}] {message} ...", err=True)
    if quiet:
        return lambda message: None
    return lambda message: click.echo(f"{message} ...", err=True)


def _refresh_checklist(root: Path, mapping: Mapping, written: str) -> None:
    """Record a step's evidence in CHECKLIST.md, after its own files are written."""
    from .checklist import refresh_checklist

    try:
        refresh_checklist(root, mapping)
    except BlockError as err:
        _fail(f"{err}; {written} written, CHECKLIST.md was not")


@main.command()
@click.option("--full", is_flag=True,
              help="Profile every row with the explorative settings (slower).")
@click.option("--sample-rows", type=click.IntRange(min=1), default=100_000, show_default=True,
              envvar="MVP_EDA_SAMPLE_ROWS", show_envvar=True,
              help="Quick mode profiles a random sample of at most this many rows.")
@click.option("--seed", type=int, default=0, show_default=True, help="The sample's seed.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.pass_obj
def eda(mapping_file: Path | None, full: bool, sample_rows: int, seed: int,
        quiet: bool) -> None:
    """Profile the data (reports/eda.html) and summarise its quality.

    Writes reports/eda.html, a self-contained page that opens offline, and
    reports/data_quality.json, and records the evidence in CHECKLIST.md.
    """
    root, mapping = _load(mapping_file)
    under_run = _RUN_STEP in click.get_current_context().meta
    interactive = not quiet and not under_run and sys.stderr.isatty()
    if not interactive:
        # tqdm reads this when first imported; the profiling library draws bars with it.
        os.environ.setdefault("TQDM_DISABLE", "1")
    from .eda import run_eda

    say = _progress(quiet)
    result = run_eda(mapping, root, full=full, sample_rows=sample_rows, seed=seed,
                     show_progress=interactive, progress=say)
    _refresh_checklist(root, mapping, "the reports were")
    if not quiet:
        issues = result.quality["issues"]
        click.echo(f"wrote {result.report.relative_to(root)} ({result.profiled_rows:,} of "
                   f"{result.rows:,} rows) and {result.quality_file.relative_to(root)}")
        for issue in issues[:3]:
            click.echo(f"  - {issue['message']}")
        if len(issues) > 3:
            click.echo(f"  ... {len(issues) - 3} more in {result.quality_file.relative_to(root)}")


@main.command()
@click.option("--seed", type=int, default=0, show_default=True,
              help="The seed of the split, the folds and the bootstrap.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.pass_obj
def baseline(mapping_file: Path | None, seed: int, quiet: bool) -> None:
    """Compare no model, the best one-column rule and a linear model; give the verdict.

    Writes reports/metrics.json, reports/holdout_predictions.csv, reports/baseline.html,
    models/baseline.skops (with models/baseline.json) and the checklist's evidence.
    """
    root, mapping = _load(mapping_file)
    from .artifacts import save_run
    from .baseline import run_baseline

    say = _progress(quiet)
    run = run_baseline(mapping, root, seed=seed, progress=say)
    save_run(run, mapping, root)
    _refresh_checklist(root, mapping, "the reports were")
    if not quiet:
        metrics = run.metrics
        click.echo(metrics["goal"]["message"])
        click.echo(metrics["versus_rule"]["message"])
        feedback = metrics["feedback"]
        if feedback["used"]:
            click.echo(f"learnt from {feedback['used']:,} reviewers' labels "
                       f"({feedback['changed']:,} corrected the data)")
        for warning in metrics["warnings"]:
            click.echo(f"  warning ({warning['code']}): {warning['message']}")


@main.command()
@click.option("--data", "new_data", type=click.Path(dir_okay=False, path_type=Path),
              help="Review new rows from this CSV or Parquet file instead of the project's "
                   "data.")
@click.option("--limit", type=click.IntRange(min=1),
              help="How many cases to choose [default: humans.review_budget in mvp.yaml, "
                   "else 50].")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.pass_obj
def review(mapping_file: Path | None, new_data: Path | None, limit: int | None,
           quiet: bool) -> None:
    """Choose the cases a person should check first and write them for review.

    Ranks rows by how likely the model is wrong (and, with costs in mvp.yaml, by what
    a mistake would cost), skips rows a reviewer has already labelled, and writes
    reports/review.csv and reports/review.html: a page that opens offline, where a
    reviewer picks a label per case and downloads the filled CSV for `feedback`.
    """
    root, mapping = _load(mapping_file)
    from .review import build_review, save_review

    chosen = build_review(mapping, root, new_data=new_data, limit=limit,
                          progress=_progress(quiet))
    if chosen.table.empty:
        click.echo(f"every one of the {chosen.candidates:,} rows of {chosen.source} has a "
                   "reviewer's label already; nothing to review")
        return
    save_review(chosen, mapping, root, new_data=new_data is not None)
    _refresh_checklist(root, mapping, "the review files were")
    if not quiet:
        skipped = (f"; {chosen.already_labelled:,} already labelled were skipped"
                   if chosen.already_labelled else "")
        click.echo(f"chose {len(chosen.table):,} of {chosen.candidates:,} rows of "
                   f"{chosen.source} for review{skipped}")
        click.echo("wrote reports/review.csv and reports/review.html: open the page, label "
                   f"the cases, download the filled CSV, then run `python -m {__package__} "
                   "feedback FILLED.csv`")


@main.command()
@click.argument("filled", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def feedback(mapping_file: Path | None, filled: Path) -> None:
    """Add a reviewer's filled CSV to data/feedback/labels.csv.

    Checks every line (a known row id; a class of the target, or a number), lists the
    lines it leaves out and why, and appends the rest to the label log in one step.
    The next `baseline` trains on the labels; a later label for a row wins.
    """
    root, mapping = _load(mapping_file)
    from .feedback import take_feedback

    result = take_feedback(mapping, root, filled)
    for line in result.skipped:
        click.echo(f"skipped {line}", err=True)
    _refresh_checklist(root, mapping, "the labels were")
    share = result.agreement.share
    click.echo(f"added {result.added:,} labels to data/feedback/labels.csv"
               + (f"; {len(result.skipped):,} lines skipped" if result.skipped else "")
               + (f"; {result.unanswered:,} cases left unlabelled" if result.unanswered else ""))
    if share is not None:
        click.echo(f"model and reviewers agree on {share:.0%} of the "
                   f"{result.agreement.labels:,} rows labelled so far")
    click.echo(f"run `python -m {__package__} baseline` to learn from them")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print a stable JSON document.")
@click.pass_obj
def status(mapping_file: Path | None, as_json: bool) -> None:
    """Show where the MVP stands on its five questions, and the next step."""
    root, mapping = _load(mapping_file)
    from .status import project_status, render_status

    state = project_status(root, mapping)
    if as_json:
        import json

        click.echo(json.dumps(state, indent=2, ensure_ascii=False))
    else:
        click.echo(render_status(state))


@main.command()
@click.argument("rows", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def predict(mapping_file: Path | None, rows: Path, out: Path) -> None:
    """Score the rows of ROWS (CSV or Parquet) with the saved model; write OUT (CSV).

    OUT keeps the id columns and adds the prediction (and, for classes, its score).
    """
    root, _ = _load(mapping_file)
    from .scoring import score_file

    written, notes = score_file(root, rows, out)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"wrote {written:,} predictions to {out}")


@main.command()
@click.pass_obj
def summary(mapping_file: Path | None) -> None:
    """Print the verdict, the comparison, the costs, the files to open and the next step."""
    root, mapping = _load(mapping_file)
    from .summary import summary_lines

    for line in summary_lines(root, mapping):
        click.echo(line)


@main.command(name="run")
@click.option("--eda", "eda_mode", type=click.Choice(["quick", "full", "off"]),
              default="quick", show_default=True, help="How to profile the data, or not.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="The seed of the EDA sample, the split, the folds and the bootstrap.")
@click.option("--quiet", "-q", is_flag=True, help="Print the summary and errors only.")
@click.pass_context
def run_all(ctx: click.Context, eda_mode: str, seed: int, quiet: bool) -> None:
    """Run the whole MVP: eda, baseline, review, then print the summary.

    Each step is the same command you can run alone; a step that fails stops the run,
    keeps what the earlier steps wrote, and says how to run it again once fixed.
    """
    steps: list[tuple[str, click.Command, dict[str, Any]]] = []
    if eda_mode != "off":
        steps.append(("eda", eda, {"full": eda_mode == "full", "seed": seed}))
    steps += [("baseline", baseline, {"seed": seed}), ("review", review, {})]
    for name, command, options in steps:
        if not quiet:
            ctx.meta[_RUN_STEP] = name
        try:
            ctx.invoke(command, quiet=True, **options)
        except SystemExit as err:
            if err.code:
                click.echo(f"Error: the {name} step failed (above); once fixed, run it again "
                           f"with `python -m {__package__} {name}` (or `make {name}`), then "
                           "the rest with `make all`", err=True)
            raise
        except (DataError, BlockError, MappingError) as err:
            _fail(f"the {name} step failed: {err}; once fixed, run it again with "
                  f"`python -m {__package__} {name}` (or `make {name}`)")
        finally:
            ctx.meta.pop(_RUN_STEP, None)
    ctx.invoke(summary)
