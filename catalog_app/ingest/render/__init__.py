"""Originals turned into something a person can look at: a PDF's pages and a scan as
pictures, a captured web page as its text under its headings, a text file's opening part.

Qt-free (the window turns a `Raster` into its own picture type) and safe to call from any
thread. Each reader takes the original's bytes, or its file when the store keeps it as is,
and raises `Unrenderable` with the plain reason when it cannot show it.
"""
