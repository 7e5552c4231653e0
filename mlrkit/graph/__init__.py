"""mlrkit.graph"""
