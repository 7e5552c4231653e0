"""mlrkit.losses"""
