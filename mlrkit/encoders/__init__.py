"""mlrkit.encoders"""
