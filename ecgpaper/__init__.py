"""ecgpaper: the package behind an executable paper on ECG rhythm classification.

Notebooks, the command line and the service call this package; it holds every piece of
logic a notebook would otherwise repeat. See README.md for the two commands that build
the book and run the tests.
"""

__version__ = "0.1.0"
