"""The views that are not widgets: ``terminal`` (rich) and ``export`` (a notebook as HTML)."""
