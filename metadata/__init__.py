"""Canonical record schema, controlled vocabularies and their messages (crosswalks and text analysis
beside)."""

from metadata.vocabularies import Term, Vocabularies, Vocabulary, load_vocabularies

__all__ = ["Term", "Vocabularies", "Vocabulary", "load_vocabularies"]
