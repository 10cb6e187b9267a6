"""JUnit XML: one test suite per input file, one test case per record with findings or rules.

Chosen per record (not per rule) so a CI dashboard points at the log line to
fix. A record fails when its decision is at or above the gate (`--fail-on`);
flagged records below the gate pass, listing their masked findings in
system-out. A file with no flagged records gets one passing `clean` case, and
each unreadable record is an `error` case. Details use masked previews only.

The document is valid against the Jenkins `junit-10.xsd` (the schema pytest
ships), which has no `file` or `line` attribute on a test case: each case's
`system-out` starts with `file: PATH` and `line: N` lines, and each suite lists
its file as a `file` property.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from audit.report.formats.sarif import relative_path, rule_id
from audit.report.formats.sarif_rules import at_or_above_gate

_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: object) -> str:
    """`value` as text with the characters XML 1.0 forbids replaced."""
    return _XML_INVALID.sub("\ufffd", str(value))


def record_details(result) -> str:
    """A record's decision, fired rules and masked findings, one per line."""
    lines = [f"decision: {result.decision.value}"]
    if result.evaluation.regulations:
        lines.append("regulations: " + ", ".join(result.evaluation.regulations))
    for hit in result.evaluation.rules:
        cite = f" [{hit.citation}]" if hit.citation else ""
        lines.append(
            f"rule {rule_id(hit.policy, hit.rule)} -> {hit.decision.value}{cite}: {hit.reason or hit.description}"
        )
    for f in result.findings:
        lines.append(f"{f.kind} {f.entity_type} {f.masked} (message {f.message}, {f.role}, score {f.score:.2f})")
    return "\n".join(lines)


class JunitFormat:
    """Collects flagged records per file and writes one JUnit XML document at the end."""

    def __init__(self, out, options) -> None:
        self.out = out
        self.options = options
        self.cases: dict[str, list[ET.Element]] = defaultdict(list)
        self.failures: dict[str, int] = defaultdict(int)

    def add(self, result) -> None:
        """Make a test case of a flagged record."""
        if not result.has_output:
            return
        case = ET.Element(
            "testcase",
            name=xml_text(f"record {result.record_id} (line {result.line})"),
            classname=self._classname(result.source),
        )
        details = xml_text(record_details(result))
        location = self._location(result.source, result.line)
        if at_or_above_gate(result.decision, self.options.fail_on):
            types = sorted({f.entity_type for f in result.identifiers})
            message = f"decision {result.decision.value} at or above --fail-on {self.options.fail_on}"
            failure = ET.SubElement(
                case,
                "failure",
                message=xml_text(message + (": " + ", ".join(types) if types else "")),
                type=result.decision.value,
            )
            failure.text = details
            ET.SubElement(case, "system-out").text = location
            self.failures[result.source] += 1
        else:
            ET.SubElement(case, "system-out").text = f"{location}\n{details}"
        self.cases[result.source].append(case)

    def finish(self, summary) -> None:
        """Write the document: suites per file, read errors as error cases."""
        errors = defaultdict(list)
        for e in summary.errors:
            errors[e.source].append(e)
        sources = list(dict.fromkeys([*summary.sources, *self.cases, *errors]))
        root = ET.Element("testsuites", name="llm-audit")
        totals = [0, 0, 0]
        for source in sources:
            suite = self._suite(source, self.cases.get(source, []), errors.get(source, []))
            root.append(suite)
            totals = [t + int(suite.get(k)) for t, k in zip(totals, ("tests", "failures", "errors"), strict=True)]
        root.set("tests", str(totals[0]))
        root.set("failures", str(totals[1]))
        root.set("errors", str(totals[2]))
        ET.indent(root)
        self.out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        self.out.write(ET.tostring(root, encoding="unicode"))
        self.out.write("\n")
        self.out.flush()

    def _suite(self, source: str, cases: list[ET.Element], errors: list) -> ET.Element:
        path = xml_text(relative_path(source, self.options.base_dir))
        suite = ET.Element("testsuite", name=path)
        ET.SubElement(ET.SubElement(suite, "properties"), "property", name="file", value=path)
        cases = list(cases)
        for e in errors:
            case = ET.Element("testcase", name=xml_text(f"line {e.line}"), classname=self._classname(source))
            ET.SubElement(case, "error", message=xml_text(e.reason), type="unreadable")
            ET.SubElement(case, "system-out").text = self._location(source, e.line)
            cases.append(case)
        if not cases:
            cases.append(ET.Element("testcase", name="clean", classname=self._classname(source)))
        suite.extend(cases)
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(self.failures.get(source, 0)))
        suite.set("errors", str(len(errors)))
        suite.set("skipped", "0")
        return suite

    def _location(self, source: str, line: int) -> str:
        return xml_text(f"file: {relative_path(source, self.options.base_dir)}\nline: {line}")

    def _classname(self, source: str) -> str:
        return xml_text("llm-audit." + relative_path(source, self.options.base_dir))
