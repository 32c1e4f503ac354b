"""The detail pane tabs for the selected record (see pane.py for the contract)."""
