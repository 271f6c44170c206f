"""Text visualization: HTML with tokens coloured as Captum colours them."""

import re

import pytest
import torch
from captum.attr._utils.visualization import _get_color, format_special_tokens

from attr_engine.visualization import VisualizationDataRecord, visualize_text
from attr_engine.visualization.text import color_for


def _record(**changes):
    fields = dict(word_attributions=torch.tensor([0.9, -0.4, 0.0, 2.0]), pred_prob=0.8765, pred_class="pos",
                  true_class="neg", attr_class="pos", attr_score=1.234, raw_input_ids=["<s>", "good", "a&b", "film"],
                  convergence_score=0.01)
    fields.update(changes)
    return VisualizationDataRecord(**fields)


@pytest.mark.parametrize("value", [-3.0, -1.0, -0.55, -0.01, 0.0, 0.013, 0.5, 0.999, 1.0, 7.0])
def test_colours_equal_captums(value):
    assert color_for(value) == _get_color(value)


def test_table_shows_labels_score_and_coloured_tokens():
    page = visualize_text([_record(), _record(true_class=3, word_attributions=[0.1, 0.2, 0.3, 0.4])]).data
    assert page.count("<tr>") == 3 and "<b>neg</b>" in page and "<b>pos (0.88)</b>" in page and "<b>1.23</b>" in page
    rows = visualize_text([_record()], legend=False).data
    marks = re.findall(r'background-color: (hsl\([^)]*\))[^<]*<font color="black"> (.*?) </font>', rows)
    colours = [_get_color(v) for v in _record().word_attributions.tolist()]  # float32 values, as given
    assert marks == list(zip(colours, [format_special_tokens("<s>"), "good", "a&amp;b", "film"]))
    assert "Legend" in page and "Legend" not in visualize_text([_record()], legend=False).data


def test_record_keeps_captums_fields():
    record = _record()
    assert VisualizationDataRecord.__slots__ == [
        "word_attributions", "pred_prob", "pred_class", "true_class", "attr_class", "attr_score",
        "raw_input_ids", "convergence_score"]
    assert record.convergence_score == 0.01 and visualize_text([record])._repr_html_().startswith("<table")


def test_empty_attributions_give_an_empty_cell():
    assert "<td></td>" in visualize_text([_record(word_attributions=[])]).data


@pytest.mark.parametrize("changes,error", [
    (dict(word_attributions=torch.ones(2, 2)), ValueError),
    (dict(word_attributions=[0.1]), ValueError),
])
def test_bad_records_raise(changes, error):
    with pytest.raises(error, match="attributions"):
        visualize_text([_record(**changes)])
    with pytest.raises(TypeError, match="VisualizationDataRecord"):
        visualize_text(["not a record"])
