"""Shared pytest fixtures; each fixture family lives in its own module under tests/fixtures."""

pytest_plugins = [
    "tests.fixtures.db",
    "tests.fixtures.media",
    "tests.fixtures.server",
    "tests.fixtures.app",
    "tests.fixtures.s3",
    "tests.fixtures.speech",
]
