"""Pages for everyone, without log-in: the cycles and their published results."""
