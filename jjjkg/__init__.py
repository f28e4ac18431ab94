"""jjjkg — the Beijing–Tianjin–Hebei (京津冀) pilot-scale testing knowledge graph: the command line."""

from graph import __version__

__all__ = ["__version__"]
