"""Report: output formats for scans (formats/) and registry reports."""
