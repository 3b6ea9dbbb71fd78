"""Network-interface and security-group-rule usage: the inventory, matching connections to
rules, the HTML/JSON/CSV report and the scheduled summary (which ships to Lambda)."""
