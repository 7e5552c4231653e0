"""mlrkit.engine"""
