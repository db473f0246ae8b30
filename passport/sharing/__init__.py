"""Sharing: signed links, passcodes, QR codes, the access log and its notifications."""
