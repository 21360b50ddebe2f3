"""The EDA page: the profiling library's report of the data as it is, safe to open.

The library (fg-data-profiling, imported as ``data_profiling``) draws the page; mvpgen
chooses what it is told, through its own settings:

- the target first, typed as what it is: classes (``Categorical``: bars of their
  balance) or a quantity (``Numeric``: a histogram), whatever the reader made of it;
- dates in nanoseconds, the unit the library's date histograms assume (a date read in
  milliseconds is otherwise labelled ``1970-01-01 00:28``);
- no word clouds (``vars.text.words``): identifiers are summarised by their counts and
  lengths, not drawn as clouds of codes;
- mvpgen's own sections (the target against its strongest columns) placed into the
  report's structure, so its navigation lists them.

The library's templates do not escape what they are given, so column names, text
values, the title and the description are escaped before it sees them (as markup
objects, which its own escaping leaves alone), and the finished page carries a
Content-Security-Policy that runs only the library's two scripts (by their hashes),
allows inline styles and ``data:`` images, and no request to anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import html
import importlib
import re
import uuid
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

# Text that could open markup, close an attribute or read as an entity is escaped for
# the page; the rest (an ampersand in "R&D", an apostrophe) is shown as it is, by the
# library's pictures too. Escaping only such texts keeps distinct values distinct: an
# escaped text always holds an entity, which the texts left alone never do.
_SPECIAL = r"[<>\"]|&#?\w+;"
_IGNORED_ALERTS = ("REJECTED",)  # the library counts these in no total either
_LIBRARY_SCRIPTS = ("wrapper/assets/bootstrap.bundle.min.js", "wrapper/assets/script.js")
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
_CHARSET = re.compile(r"<meta charset=[^>]*>", re.I)


@dataclass(frozen=True)
class Section:
    """A section of mvpgen's own, placed into the profile after its overview."""

    name: str  # plain text
    anchor: str  # a fragment name: letters, digits and dashes
    html: str  # escaped HTML, no scripts


@dataclass(frozen=True)
class ProfilePage:
    """The finished page and what the library found."""

    html: str
    alerts: list[dict[str, Any]]  # {"type", "column" (as in the data, or None), "values"}
    types: dict[str, str] = field(default_factory=dict)  # column: the library's type


def profile_page(frame: pd.DataFrame, *, target: str, task: str, title: str,
                 description: str, full: bool, categorical: tuple[str, ...] = (),
                 show_progress: bool = False,
                 sections: tuple[Section, ...] = ()) -> ProfilePage:
    """Profile ``frame`` and return one self-contained, safe page.

    Args:
        frame: the rows and columns to profile; not modified.
        target: the target column.
        task: binary, multiclass or regression.
        title: the page's title, plain text.
        description: the data's description, plain text.
        full: the library's explorative settings instead of its minimal ones.
        categorical: columns of text to show as categories (bars of their values), not
            as free text.
        show_progress: let the library draw its progress bars.
        sections: mvpgen's own sections, placed after the overview.

    Returns:
        The page, the library's alerts and the type it gave each column.
    """
    import pandas as pd

    shown, names = for_display(frame, target, task, categorical)
    lost = sum(int(shown[s].isna().sum() - frame[c].isna().sum()) for s, c in names.items()
               if pd.api.types.is_datetime64_any_dtype(frame[c]))
    if lost:
        description += (f" {lost:,} dates before 1677 or after 2262 (placeholders such as "
                        "9999-12-31?) are shown as missing: the profile cannot hold them.")
    # A random title the data cannot contain, replaced by the escaped title once the
    # page is drawn: the library's <title> unescapes what it is given.
    token = f"mvpgen-title-{uuid.uuid4().hex}"
    report = _library("profile_report").ProfileReport(
        shown, minimal=not full, explorative=full, progress_bar=show_progress, title=token,
        dataset={"description": _markup(html.escape(description, quote=True))},
        vars={"text": {"words": False, "characters": full}},
        type_schema={_shown(target): "Numeric" if task == "regression" else "Categorical"},
        lazy=True)
    report.config.html.inline = True  # one page with its scripts, styles and images inside
    report.config.html.use_local_assets = True
    report.config.html.minify_html = False  # its time buys nothing for a local file
    import matplotlib

    # Text in the library's pictures is never read as math: "$10-$20" is a price band.
    with warnings.catch_warnings(), matplotlib.rc_context({"text.parse_math": False}):
        # The library calls matplotlib functions that matplotlib plans to retire: a
        # warning for the library's authors, about which a user can do nothing.
        warnings.filterwarnings("ignore", category=PendingDeprecationWarning)
        warnings.filterwarnings("ignore", category=matplotlib.MatplotlibDeprecationWarning)
        # A control character in a value is drawn as a box; the warning saying so would
        # print the character itself to the terminal.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
        description_set = report.description_set
        _add_sections(report, sections)
        page = report.to_html().replace(token, html.escape(title, quote=True))
    alerts = [{"type": alert.alert_type.name.lower(),
               "column": None if alert.column_name is None else _column(names,
                                                                        alert.column_name),
               "values": _alert_values(alert.values)}
              for alert in description_set.alerts
              if alert.alert_type.name not in _IGNORED_ALERTS]
    types = {_column(names, name): str(v["type"])
             for name, v in description_set.variables.items()}
    return ProfilePage(with_policy(page), alerts, types)


def for_display(frame: pd.DataFrame, target: str, task: str,
                categorical: tuple[str, ...] = ()) -> tuple[pd.DataFrame, dict[str, str]]:
    """Return the frame as the library should see it, and each shown name's column.

    The target comes first, as categories or numbers, and text in ``categorical`` as
    categories; names and text values are escaped; dates are in nanoseconds (dates
    outside 1677-2262, which nanoseconds cannot hold, become missing).
    """
    import pandas as pd

    columns = {}
    names = {}
    for name in [target, *(c for c in frame.columns if c != target)]:
        series = _displayable(frame[name])
        if name == target:
            series = (series.astype(float) if task == "regression"
                      else series.astype("category"))
        elif name in categorical and series.dtype == object:
            series = series.astype("category")
        shown = _shown(name)
        columns[shown] = series
        names[shown] = name
    return pd.DataFrame(columns, index=frame.index), names


def _displayable(series: pd.Series) -> pd.Series:
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(series):
        try:
            return series.dt.as_unit("ns")
        except (OverflowError, pd.errors.OutOfBoundsDatetime):
            inside = (series >= pd.Timestamp.min) & (series <= pd.Timestamp.max)
            return series.where(inside).dt.as_unit("ns")
    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = series.cat.categories
        if categories.dtype == object:
            return series.cat.rename_categories(
                list(_escaped_values(pd.Series(categories, dtype=object))))
        return series
    if series.dtype == object:
        return _escaped_values(series)
    return series


def _escaped_values(series: pd.Series) -> pd.Series:
    """Return the series with every text holding markup characters escaped."""
    try:
        special = series.str.contains(_SPECIAL, regex=True, na=False).to_numpy(dtype=bool)
    except AttributeError:  # no text in the column at all
        return series
    if not special.any():
        return series
    escaped = series.copy()
    escaped[special] = [_markup(_escaped(v)) for v in series[special]]
    return escaped


def _shown(name: Any) -> str:
    """Return a column's name as the page shows it: escaped where it needs to be."""
    text = str(name)
    return _markup(_escaped(text)) if re.search(_SPECIAL, text) else text


def _column(names: dict[str, str], shown: Any) -> str:
    """Return the data's name of a column the library names as it was shown to it."""
    return names.get(shown, html.unescape(str(shown)))


def _escaped(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _markup(text: str) -> Any:
    """Return escaped text marked as such, so the library's own escaping keeps it as it is."""
    from markupsafe import Markup

    return Markup(text)


def _alert_values(values: dict[str, Any] | None) -> dict[str, Any]:
    """Return the figures an alert is about, as plain JSON values."""
    keep = ("n_missing", "p_missing", "n_zeros", "p_zeros", "n_distinct", "p_distinct",
            "n_infinite", "p_infinite", "imbalance", "skewness", "n_duplicates",
            "p_duplicates", "n")
    plain = {}
    for key in keep:
        value = (values or {}).get(key)
        if value is not None and hasattr(value, "__float__"):
            number = float(value)
            plain[key] = int(number) if key.startswith("n") and number.is_integer() else (
                round(number, 6))
    fields = (values or {}).get("fields")
    if fields:
        plain["fields"] = [html.unescape(str(f)) for f in fields]
    return plain


def _add_sections(report: Any, sections: tuple[Section, ...]) -> None:
    """Place mvpgen's sections after the report's overview, listed in its navigation."""
    if not sections:
        return
    core = _library("report.presentation.core")
    items = report.report.content["body"].content["items"]
    for offset, section in enumerate(sections, start=1):
        items.insert(offset, core.Container([core.HTML(section.html)], sequence_type="list",
                                            name=html.escape(section.name),
                                            anchor_id=section.anchor))


def with_policy(page: str) -> str:
    """Return the page with a Content-Security-Policy first in its head.

    Only the inline scripts that are the library's own (compared with its asset files)
    may run, by their SHA-256; anything else that looks like a script is refused.

    Raises:
        ValueError: when the page has no ``<meta charset>`` to put the policy after.
    """
    match = _CHARSET.search(page)
    if match is None:
        msg = "the profile page has no <meta charset>; cannot place its security policy"
        raise ValueError(msg)
    own = {_library_script(name).strip() for name in _LIBRARY_SCRIPTS}
    hashes = sorted({_sha256(body) for body in _SCRIPT.findall(page) if body.strip() in own})
    policy = ("default-src 'none'; script-src " + " ".join(f"'{h}'" for h in hashes)
              + "; style-src 'unsafe-inline'; img-src data:; font-src data:; "
              "base-uri 'none'; form-action 'none'")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    return page[:match.end()] + meta + page[match.end():]


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def _library_script(name: str) -> str:
    return _library("report.presentation.flavours.html.templates").template(name).render()


def _library(module: str) -> Any:
    """Return a module of the profiling library, under its current or its former name."""
    try:
        return importlib.import_module(f"data_profiling.{module}")
    except ImportError:  # where only the former name, ydata_profiling, is installed
        return importlib.import_module(f"ydata_profiling.{module}")
