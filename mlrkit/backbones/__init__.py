"""mlrkit.backbones"""
