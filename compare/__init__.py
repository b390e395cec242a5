"""Comparing reports: values between years or snapshots, and narrative text sentence by sentence.

Pure functions on plain values; the archive and the extractor hand their results in.
"""
