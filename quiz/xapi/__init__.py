"""xAPI: answers as statements to a Learning Record Store, and class reports read back."""
