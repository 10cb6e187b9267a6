"""The gateway tests' shared engine: a Router over the fixture manifest plus a closed-only workload."""

from __future__ import annotations

import pytest

from audit import api
from audit.flows import load_manifest
from audit.pipeline import build_context
from audit.routing.router import Router
from tests.gateway.cases import FIXTURE

CLOSED_ONLY = """\
  - name: closed-only
    owner: x@clinic.example
    domain: healthcare
    hipaa_entity: covered_entity
    endpoints:
      - name: primary
        provider: openai
        model: gpt-4o-mini
        hosting: closed_api
        agreements: [DPA]
"""


@pytest.fixture(scope="session")
def parts(tmp_path_factory):
    path = tmp_path_factory.mktemp("m") / "workloads.yaml"
    text = FIXTURE.read_text().replace("CLOSED_PORT", "9").replace("SELF_PORT", "9")
    path.write_text(text + CLOSED_ONLY)
    manifest = load_manifest(str(path))
    return Router(build_context(api.settings_from(None)), manifest), manifest
