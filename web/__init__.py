"""The web interface to the archive (``reports serve``)."""
