"""EXTRACTOR_VERSION changes whenever extraction output changes (see tests/extract/fingerprint.py)."""

from __future__ import annotations

from extract.report import EXTRACTOR_VERSION
from tests.extract.fingerprint import current_digest, recorded


def test_extraction_output_matches_the_recorded_digest_of_its_version() -> None:
    versions = recorded()
    assert EXTRACTOR_VERSION in versions, (
        f"EXTRACTOR_VERSION {EXTRACTOR_VERSION} has no recorded output digest: "
        "run `python -m tests.extract.fingerprint --record`"
    )
    assert current_digest() == versions[EXTRACTOR_VERSION], (
        f"extraction output changed but EXTRACTOR_VERSION is still {EXTRACTOR_VERSION}: bump it, "
        "then run `python -m tests.extract.fingerprint --record`"
    )


def test_every_recorded_version_has_its_own_output() -> None:
    digests = list(recorded().values())
    assert len(digests) == len(set(digests)), "two extractor versions recorded with the same output"
