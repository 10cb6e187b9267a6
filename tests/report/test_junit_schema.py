"""JUnit output against the common JUnit XSD: Jenkins' junit-10.xsd, as pytest ships it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import xmlschema

from audit.report.formats import FORMATS
from tests.conftest import REPO

from .conftest import render

JUNIT_XSD = REPO / "tests" / "fixtures" / "junit-10.xsd"


@pytest.fixture(scope="module")
def junit_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(JUNIT_XSD))


@pytest.mark.parametrize("fail_on", ["redact_then_closed", "strip", "never"])
def test_junit_is_valid_against_junit_10_xsd(results, summary, junit_schema, fail_on):
    junit_schema.validate(render(FORMATS["junit"], results, summary, fail_on=fail_on))


def test_a_clean_file_alone_is_valid(results, summary, junit_schema):
    junit_schema.validate(render(FORMATS["junit"], results[4:], summary))


def test_file_and_line_are_in_system_out_and_suite_properties(results, summary):
    root = ET.fromstring(render(FORMATS["junit"], results, summary))
    suite = next(s for s in root.iter("testsuite") if s.get("name") == "logs/chat.jsonl")
    assert [(p.get("name"), p.get("value")) for p in suite.iter("property")] == [("file", "logs/chat.jsonl")]
    for case in root.iter("testcase"):
        assert case.get("file") is None and case.get("line") is None
    case = next(c for c in suite.iter("testcase") if c.get("name") == "record req-1 (line 3)")
    assert case.findtext("system-out").splitlines()[:2] == ["file: logs/chat.jsonl", "line: 3"]
    unreadable = next(c for c in suite.iter("testcase") if c.find("error") is not None)
    assert unreadable.findtext("system-out") == "file: logs/chat.jsonl\nline: 9"
