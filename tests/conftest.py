"""Test configuration: Hypothesis profiles ("ci" is selected by .ci/run through HYPOTHESIS_PROFILE),
the examples directory on sys.path, so tests can exercise the examples, and a calibration cache
of the test session's own."""

import os
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
sys.path.insert(0, str(EXAMPLES))

# calix's default cache ($XDG_CACHE_HOME/calix) starts empty, as on a fresh machine: a
# calibration a test (or a README example) needs is made, not found from an earlier run
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="bss2-test-cache-")
