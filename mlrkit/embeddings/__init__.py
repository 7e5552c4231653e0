"""mlrkit.embeddings"""
