"""Sandboxes: one interface, three backends (bwrap, docker, local)."""
