"""Shared inputs of the gateway tests: the fixture manifest and one prompt per verdict."""

from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "gateway-workloads.yaml"
PHI = "Patient John Smith, MRN 00482913, was admitted with pneumonia."
PII = "Hi, I am Maria Garcia, call me at 617-555-0199 about my order"
SECRET = "my password is hunter2 and my AWS key is AKIAIOSFODNN7EXAMPLE"
