"""mlrkit.datasets"""
