"""``cchc report``: one self-contained HTML file across the stored documents — the figures across plans
(charts as SVG, each with its table), then each document with its tasks, targets, responsibilities,
references, outline and the repaired text for review.

The page is rendered by Jinja2 templates shipped with the package (``templates/``), autoescaping on: every
text from a document is untrusted. Its CSS and JavaScript are inline, allowed by a Content Security Policy
that names their sha256 and nothing else (``default-src 'none'``), so the page makes no request of any kind.
Jinja2 is the optional extra ``cchc[report]``; without it :func:`render_report` raises a one-line error with
the remedy.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources as _resources
from typing import Any

from .. import data
from ..errors import CchcError, ExitCode
from ..store import Store
from .charts import svg
from .gather import ReportDocument, area_names, gather_documents, overview, vn_date
from .review import Review, SourceReader, reviews
from .views import all_ranks, coverage_rows, document_view, format_number, indicator_rows

__all__ = ["LANGUAGES", "TEXT_LIMIT", "ReportOptions", "build_context", "labels_for", "render_report", "require_jinja",
           "write_report"]

# Above this many documents the repaired texts are left out unless asked for (--include-text): each is read
# and repaired again (about 0.7 s of CPU for a 27 KB plan) and weighs some 100 KB of marked-up text.
TEXT_LIMIT = 60
LANGUAGES = ("vi", "en")
REPORT_EXTRA = "pip install 'cchc[report]'"


@dataclass
class ReportOptions:
    title: str | None = None
    lang: str = "vi"
    include_text: bool | None = None  # None: when the report holds at most TEXT_LIMIT documents
    read_sources: SourceReader | None = None  # None: no text views
    today: _dt.date | None = None
    store_label: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def labels_for(lang: str) -> dict[str, str]:
    """The interface words of `lang` (``dictionaries/report_labels.yaml``)."""
    languages = data.read_yaml("report_labels.yaml")["languages"]
    return {key: str(value) for key, value in languages[lang].items()}


def _indicator_codes() -> list[str]:
    return [entry["code"] for entry in data.read_yaml("indicators.yaml")["indicators"]]


def _texts(documents: Sequence[ReportDocument], options: ReportOptions, store: Store,
           current: str) -> tuple[dict[str, Review], str | None]:
    """The documents' text views (by anchor), and why there are none (a label key) when there are none."""
    include = options.include_text
    if include is False:
        return {}, "text_off"
    if include is None and len(documents) > TEXT_LIMIT:
        return {}, "text_omitted"
    if options.read_sources is None:
        return {}, "text_off"

    def pipeline(path: str) -> str | None:
        info = store.latest_ingest(path)
        return info.pipeline if info is not None else None

    return {doc.anchor: review for doc, review in reviews(documents, options.read_sources, pipeline, current)}, None


def build_context(store: Store, options: ReportOptions, current_pipeline: str = "") -> dict[str, Any]:
    """Everything the template shows, from the latest version of each stored document."""
    labels = labels_for(options.lang)
    today = options.today or _dt.date.today()
    documents = gather_documents(store.records(), today=today)
    areas = area_names(options.lang)
    indicators = _indicator_codes()
    ranks = all_ranks(documents, areas)
    texts, text_note = _texts(documents, options, store, current_pipeline)
    columns, indicator_table = indicator_rows(documents, indicators, labels)
    charts = overview(documents, labels, areas, indicators)
    return {
        "L": labels, "lang": options.lang, "title": options.title or labels["default_title"],
        "generated": vn_date(today.isoformat()), "store": options.store_label,
        "documents": documents, "views": [document_view(d, ranks, areas, labels) for d in documents],
        "charts": charts, "svg": {key: svg(chart, options.lang) for key, chart in charts.items()},
        "areas": areas, "coverage": coverage_rows(documents, areas),
        "indicator_columns": columns, "indicator_rows": indicator_table,
        "texts": texts, "text_note": text_note, "text_limit": TEXT_LIMIT,
        "task_count": sum(len(d.tasks) for d in documents), "target_count": sum(len(d.targets) for d in documents),
        "finding_count": sum(len(d.findings) for d in documents),
        "num": lambda n: format_number(n, options.lang), **options.extra,
    }


def _asset(name: str) -> str:
    return _resources.files(__package__).joinpath("templates", name).read_text("utf-8")


def _csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


def require_jinja() -> Any:
    """The jinja2 module, or a one-line error naming the extra to install (exit 3, as a missing scan library)."""
    try:
        import jinja2
    except ImportError:
        raise CchcError(f"cchc report needs Jinja2: {REPORT_EXTRA}", exit_code=ExitCode.INPUT) from None
    return jinja2


def render_report(context: dict[str, Any]) -> str:
    """The report page: the template rendered with `context` (:func:`build_context`), CSS and JavaScript
    inline and named by hash in the page's Content Security Policy."""
    jinja2 = require_jinja()
    env = jinja2.Environment(loader=jinja2.PackageLoader(__package__, "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.ChainableUndefined)
    style, script = _asset("report.css"), _asset("report.js")
    csp = (f"default-src 'none'; style-src {_csp_hash(style)}; script-src {_csp_hash(script)}; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    from markupsafe import Markup as markup

    page = env.get_template("report.html.j2").render(
        context, csp=csp, style=markup(style), script=markup(script), Markup=markup)
    return page


def write_report(store: Store, options: ReportOptions, write: Callable[[bytes], object],
                 current_pipeline: str = "") -> int:
    """Build and render the report of `store`, hand its UTF-8 bytes to `write`; the number of documents."""
    context = build_context(store, options, current_pipeline)
    write(render_report(context).encode("utf-8"))
    return len(context["documents"])
