"""``python -m cchc_cli``: the same as the ``cchc`` command."""

from .cli import entry

if __name__ == "__main__":
    entry()
