"""The traffic report between named networks: its data (report.py) and its HTML page (html.py)."""
