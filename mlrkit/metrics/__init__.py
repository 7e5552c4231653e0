"""mlrkit.metrics"""
