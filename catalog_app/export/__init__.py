"""Finding aids and exchange formats: each module writes (or reads) one format, streaming.

Writers take an iterable of `ExportUnit` (services/export_source.py) and a binary stream;
nothing here imports Qt or opens the catalogue itself.
"""
