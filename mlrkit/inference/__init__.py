"""Using a trained model: predict on image files, calibrated thresholds, ONNX export.

Modules (imported one by one, not from here, so that the torch-free ones stay torch-free):

- :mod:`mlrkit.inference.model_loader`: a model from its config and checkpoint (torch).
- :mod:`mlrkit.inference.image_loader`: an image through the config's test pipeline (torch).
- :mod:`mlrkit.inference.images`: image files under paths and folders (no torch).
- :mod:`mlrkit.inference.thresholds`: fit, save and load per-class thresholds (numpy only).
- :mod:`mlrkit.inference.records`: prediction records and their JSONL / CSV writer (no torch).
- :mod:`mlrkit.inference.predictor`: ``mlrkit predict`` with PyTorch.
- :mod:`mlrkit.inference.onnx_export`: ``mlrkit export`` (torch, onnx, onnxruntime).
- :mod:`mlrkit.inference.onnx_predictor`: ``mlrkit predict --onnx``; imports only numpy,
  pillow and onnxruntime, so a deployment needs nothing else.
"""
