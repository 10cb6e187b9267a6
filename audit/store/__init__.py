"""The workload registry: workloads, scans, masked findings, decisions, waivers, a hash-chained event log.

Library entry points: `Registry.open(url)` (audit.store.registry), `ScanRecorder`
(audit.store.recorder), `list_workloads` / `show_workload` / `history`
(audit.store.views), `load_manifest` / `profiles_from_manifest` (audit.store.manifest).
Modules import only what they need, so importing this package stays cheap.
"""
