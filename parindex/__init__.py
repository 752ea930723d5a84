"""parindex: the provincial administrative reform index (Chỉ số CCHC) engine.

The package never imports Flask; the web app and the CLI are thin shells over it.
"""

__version__ = "0.1.0"
