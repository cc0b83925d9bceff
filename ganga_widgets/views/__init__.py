"""The views that are not widgets: ``terminal`` (a job and the dashboard drawn with rich),
``formats`` (as text, HTML, a display bundle), ``watch`` (live in a terminal) and ``export``
(a notebook as HTML)."""
