"""Column classification: declarative rules, suggestions, steward decisions, propagation."""
