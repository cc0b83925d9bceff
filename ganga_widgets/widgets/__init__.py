"""The anywidget classes: traits and action handlers only (their data comes from ``state``)."""
