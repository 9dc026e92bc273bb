"""The package's version (pyproject.toml reads it from here): what ``cchc --version`` prints and the
pipeline version starts with."""

__version__ = "0.1.0"
