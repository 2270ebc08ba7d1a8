"""Settings shared by the whole test suite.

The property-based tests (tests/test_properties_*.py) run under one fixed Hypothesis profile: the
examples are derived from each test's name and strategies (`derandomize`), not from a random seed or
a saved example database, so every run on every machine tries the same inputs. `deadline=None`
because example times vary with the machine's load; the example counts are bounded per test.
"""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "gainflow",
    derandomize=True,
    database=None,
    max_examples=40,
    deadline=None,
    print_blob=True,
    # Examples write files and run the CLI in-process: some are slow by design.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile("gainflow")
