"""The Huey instance (from the queue release on)."""
