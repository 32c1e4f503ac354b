"""Taking files in: the store of originals, type sniffing, text extraction and harvesting.

Everything here runs in worker processes as well as in the main one, so it holds no database
session and imports no Qt.
"""
