"""mlrkit.models"""
