"""The history's charts (ui/charts.py): counts on whole-number ticks, every day of the strip labelled, axis titles
below their tick labels."""

import time

import pyqtgraph as pg
import pytest

from formwatch.app.report import ChartSeries
from formwatch.ui.charts import AXIS_HEIGHT_PX, clean_reps_chart, count_ticks, days_chart


@pytest.fixture
def plot(qtbot):
    widget = pg.GraphicsLayoutWidget()
    qtbot.addWidget(widget)
    yield widget.addPlot()
    del widget


@pytest.mark.parametrize("high, step", [(0, 1), (3, 1), (8, 1), (9, 2), (16, 2), (17, 5), (40, 5), (41, 10),
                                        (150, 20), (401, 100)])
def test_counts_get_whole_number_ticks_at_most_eight(plot, high, step):
    count_ticks(plot, "left", high)
    assert plot.getAxis("left")._tickSpacing == [(step, 0), (step, 0)]


def test_every_day_is_labelled_with_its_number_and_the_months_named(plot):
    today = time.strftime("%Y-%m-%d")
    days_chart(plot, ChartSeries([(today, 3)], {}, []), days=28)
    (labels,) = plot.getAxis("bottom")._tickLevels
    assert len(labels) == 28 and labels[-1][1] == str(int(today[8:]))
    assert all(text.isdigit() for _, text in labels)
    assert "(the last: today)" in plot.getAxis("bottom").labelText
    assert plot.getAxis("bottom").fixedHeight == AXIS_HEIGHT_PX  # the title sits below the tick labels
    assert plot.getAxis("left")._tickSpacing == [(1, 0), (1, 0)]  # 3 sets: 0, 1, 2, 3


def test_sets_in_order_and_clean_reps_are_counted_in_whole_numbers(plot):
    clean_reps_chart(plot, ChartSeries([], {"hinge": [(0.0, c, 8) for c in (2, 5, 7)]}, []))
    assert plot.getAxis("bottom")._tickSpacing == [(1, 0), (1, 0)]
    assert plot.getAxis("left")._tickSpacing == [(1, 0), (1, 0)]


def test_a_narrow_strip_labels_every_other_day_and_always_today(plot):
    today = time.strftime("%Y-%m-%d")
    days_chart(plot, ChartSeries([(today, 1)], {}, []), days=28, every=2)
    (labels,) = plot.getAxis("bottom")._tickLevels
    assert len(labels) == 14 and labels[-1] == (27, str(int(today[8:])))
