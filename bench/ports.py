"""Ports for the servers a benchmark starts: free ones, asked of the system, never a fixed number (a fixed
port left taken by an orphaned server broke the next run, issue 28, 13)."""

import socket


def free_port() -> int:
    """A port no one listens on now (the system picks it; a race with another program is possible but rare)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
