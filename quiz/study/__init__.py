"""Studying: building the queue, the queue itself, answering, and the session over them."""
