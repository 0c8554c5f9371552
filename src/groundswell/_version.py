"""The package's version, where every layer can read it (the root package imports the front door)."""

__version__ = "0.1.0"
