"""Grad-CAM views of a trained classifier (the paper's Figure 7), as a library and a command.

Example:
    >>> from mlrkit.cam import grad_cam, load_image, load_model, render_grid
    >>> from mlrkit.engine.config import load_config
    >>> cfg = load_config("configs/synthetic/deeplift_agcn.py")
    >>> model = load_model(cfg, "work_dirs/deeplift_agcn/epoch_8.pth")
    >>> image = load_image("scene.png", cfg)                  # uint8 (3, S, S), test pipeline
    >>> result = grad_cam(model, image, top_k=3)              # one forward, 3 backward passes
    >>> rows = result.labels[0].tolist()
    >>> render_grid(image, {name: cams[0] for name, cams in result.maps.items()},
    ...             [model.classes[k] for k in rows], result.scores[0, rows], path="cam.png")

``mlrkit cam CONFIG CHECKPOINT IMAGE...`` does the same for each image.
"""

from mlrkit.cam.grad_cam import MAP_NAMES, CAMResult, grad_cam, grad_cam_from_maps, normalize_maps
from mlrkit.cam.grid import COLUMN_TITLES, GridLayout, jet, render_grid
from mlrkit.inference.image_loader import eval_transforms, load_image
from mlrkit.inference.model_loader import check_state_dict, checkpoint_state, load_model

__all__ = [
    "MAP_NAMES",
    "CAMResult",
    "grad_cam",
    "grad_cam_from_maps",
    "normalize_maps",
    "COLUMN_TITLES",
    "GridLayout",
    "jet",
    "render_grid",
    "eval_transforms",
    "load_image",
    "check_state_dict",
    "checkpoint_state",
    "load_model",
]
