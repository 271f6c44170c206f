"""Text attributions as an HTML table, under Captum's names: tokens coloured by attribution,
with the true, predicted and attributed label and the attribution score."""

from __future__ import annotations

import html
from typing import Iterable, List, Sequence

import numpy as np


class VisualizationDataRecord:
    """Everything one row of :func:`visualize_text` shows."""

    __slots__ = ["word_attributions", "pred_prob", "pred_class", "true_class", "attr_class",
                 "attr_score", "raw_input_ids", "convergence_score"]

    def __init__(self, word_attributions, pred_prob: float, pred_class, true_class, attr_class,
                 attr_score: float, raw_input_ids: List[str], convergence_score) -> None:
        self.word_attributions = word_attributions
        self.pred_prob = pred_prob
        self.pred_class = pred_class
        self.true_class = true_class
        self.attr_class = attr_class
        self.attr_score = attr_score
        self.raw_input_ids = raw_input_ids
        self.convergence_score = convergence_score


class HTML:
    """HTML that Jupyter renders (``_repr_html_``); the markup is in ``data``."""

    def __init__(self, data: str) -> None:
        self.data = data

    def _repr_html_(self) -> str:
        return self.data

    def __str__(self) -> str:
        return self.data


def color_for(attr: float) -> str:
    """Green for positive, red for negative attributions, lighter towards 0 (clipped to ±1)."""
    attr = max(-1.0, min(1.0, float(attr)))
    if attr > 0:
        return f"hsl(120, 75%, {100 - int(50 * attr)}%)"
    return f"hsl(0, 75%, {100 - int(-40 * attr)}%)"


def _cell(content) -> str:
    return f'<td><text style="padding-right:2em"><b>{html.escape(str(content))}</b></text></td>'


def _token(token: str) -> str:
    """Special tokens such as ``<pad>`` read as ``#pad``; the rest is escaped text."""
    if token.startswith("<") and token.endswith(">"):
        token = "#" + token.strip("<>")
    return html.escape(token)


def _importances(words: Sequence[str], importances) -> str:
    if importances is None or len(importances) == 0:
        return "<td></td>"
    if hasattr(importances, "detach"):
        importances = importances.detach().cpu().numpy()
    importances = np.asarray(importances, dtype=float)
    if importances.ndim != 1:
        raise ValueError(f"`word_attributions` must be one-dimensional, got shape {importances.shape}")
    if len(words) > len(importances):
        raise ValueError(f"{len(words)} tokens but only {len(importances)} word attributions")
    marks = (f'<mark style="background-color: {color_for(value)}; opacity:1.0; line-height:1.75">'
             f'<font color="black"> {_token(word)} </font></mark>' for word, value in zip(words, importances))
    return "<td>" + "".join(marks) + "</td>"


def _legend() -> str:
    swatches = "".join(
        '<span style="display: inline-block; width: 10px; height: 10px; border: 1px solid; '
        f'background-color: {color_for(value)}"></span> {label}  '
        for value, label in ((-1, "Negative"), (0, "Neutral"), (1, "Positive")))
    return ('<div style="border-top: 1px solid; margin-top: 5px; padding-top: 5px; '
            f'display: inline-block"><b>Legend: </b>{swatches}</div>')


def visualize_text(datarecords: Iterable[VisualizationDataRecord], legend: bool = True) -> HTML:
    """An HTML table with one row per record; shown at once inside IPython, and returned."""
    rows = ["<tr><th>True Label</th><th>Predicted Label</th><th>Attribution Label</th>"
            "<th>Attribution Score</th><th>Word Importance</th></tr>"]
    for record in datarecords:
        if not isinstance(record, VisualizationDataRecord):
            raise TypeError(f"`datarecords` must hold VisualizationDataRecord objects, got {type(record).__name__}")
        rows.append("<tr>" + _cell(record.true_class)
                    + _cell(f"{record.pred_class} ({record.pred_prob:.2f})")
                    + _cell(record.attr_class) + _cell(f"{record.attr_score:.2f}")
                    + _importances(record.raw_input_ids, record.word_attributions) + "</tr>")
    markup = HTML("<table style=\"width: 100%\">" + (_legend() if legend else "") + "".join(rows) + "</table>")
    _display(markup)
    return markup


def _display(markup: HTML) -> None:
    """Show in a running IPython kernel (as Captum does); a no-op elsewhere."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return
    if get_ipython() is not None:
        display(markup)
