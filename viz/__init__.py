"""Views of the graph: interactive pages, the meeting pack and machine exports."""
