"""Watching: the long-running loop that syncs, enriches, refreshes the threads and evaluates the alert rules."""
