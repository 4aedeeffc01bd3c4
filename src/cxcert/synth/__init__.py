"""Synthetic contact-centre data in the canonical shapes (``cxcert generate``).

``generate(out_dir, contacts=..., months=12, seed=7, profile=load_profile(), entity_id="demo")`` writes every
canonical table under ``out_dir/<table>/part-NNNNN.parquet``, deterministically under the seed.
"""

from cxcert.synth.generate import GenerationSummary, generate
from cxcert.synth.profile import CentreProfile
from cxcert.synth.profile_loader import load_profile, parse_profile
from cxcert.synth.writer import WriterLimits

__all__ = ["CentreProfile", "GenerationSummary", "WriterLimits", "generate", "load_profile", "parse_profile"]
