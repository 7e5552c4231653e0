"""mlrkit.bench"""
