"""pytest collects the code blocks of README.md and docs/ as tests (see tools/doc_blocks.py)."""

from tools.doc_blocks import SYBIL

pytest_collect_file = SYBIL.pytest()
