"""mlrkit.heads"""
