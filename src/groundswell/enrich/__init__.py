"""Enrichment: classify posts (sentiment, complaint) and derive intent, subject, needs_reply, gratitude, campaign."""
