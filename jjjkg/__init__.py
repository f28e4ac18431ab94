"""jjjkg — the Beijing–Tianjin–Hebei (京津冀) pilot-scale testing knowledge graph: the command line."""

__version__ = "0.1.0"
__all__ = ["__version__"]
