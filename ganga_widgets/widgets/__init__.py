"""The notebook widgets: ``JobWidget`` (``job``) and ``JobTable`` (``table``), on ``base``."""
