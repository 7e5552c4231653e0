"""mlrkit.transforms"""
