"""The controls of every explorer: sliders, checkboxes and dropdowns that follow the notebook's width.

One style for all of them. A control takes the whole width of its output area up to a
readable maximum, and its label takes the width its text needs, so at 1024 px with the file
browser open the slider's value readout stays on screen, and on a wide monitor the track
does not stretch past what a hand can drag.
"""

from __future__ import annotations

import ipywidgets as widgets

#: Labels as wide as their text.
CONTROL_STYLE = {"description_width": "initial"}
#: Full width of the output area, never wider than a comfortable drag.
MAX_CONTROL_WIDTH = "760px"


def control_layout() -> widgets.Layout:
    """A fresh layout for one control (ipywidgets layouts must not be shared between widgets)."""
    # ipywidgets puts a 2 px margin on each side of a control: 100% would poke out of the output area
    return widgets.Layout(width="calc(100% - 4px)", max_width=MAX_CONTROL_WIDTH)


def slider(
    kind: str,
    description: str,
    value,
    minimum,
    maximum,
    step,
    readout_format: str | None = None,
    tooltip: str | None = None,
) -> widgets.Widget:
    """A labelled int or float slider that reports while it is dragged."""
    options = dict(
        value=value,
        min=minimum,
        max=maximum,
        step=step,
        description=description,
        style=dict(CONTROL_STYLE),
        layout=control_layout(),
        continuous_update=True,
    )
    if tooltip:
        options["tooltip"] = tooltip
    if kind == "int":
        return widgets.IntSlider(**options)
    if readout_format:
        options["readout_format"] = readout_format
    return widgets.FloatSlider(**options)


def checkbox(description: str, value: bool = False) -> widgets.Checkbox:
    return widgets.Checkbox(
        value=value, description=description, style=dict(CONTROL_STYLE), indent=False, layout=control_layout()
    )


def dropdown(description: str, options, value) -> widgets.Dropdown:
    return widgets.Dropdown(
        options=options, value=value, description=description, style=dict(CONTROL_STYLE), layout=control_layout()
    )


def heading(text: str) -> widgets.HTML:
    """A bold line that groups the controls under it."""
    return widgets.HTML(f"<b>{text}</b>", layout=control_layout())


__all__ = ["CONTROL_STYLE", "MAX_CONTROL_WIDTH", "slider", "checkbox", "dropdown", "heading", "control_layout"]
