"""Safe image loading for SkinGuard: any upload in, an RGB array of the model's input size out.

Shared by training (the numpy cache) and inference, so both see exactly the same pixels.
Pillow only: no TensorFlow here.
"""
from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000  # a 6000x6000 photo is fine; a decompression bomb is not
MAX_BYTES = 30 * 1024 * 1024


class ImageError(ValueError):
    """An upload that cannot be read as a photo; the message is shown to the user."""


def load_rgb(source: str | Path | bytes | Image.Image) -> Image.Image:
    """Open a path, bytes or PIL image as an 8-bit RGB image, or raise ImageError with a clear message.

    Grayscale, palette, alpha (composited on white), CMYK and 16-bit images are converted;
    non-images, empty, truncated and oversized (decompression bomb) files are refused.
    """
    if isinstance(source, Image.Image):
        image = source
    else:
        data = _read_bytes(source)
        image = _open(data)
    if image.width * image.height > MAX_PIXELS:
        raise ImageError(f"This image is too large ({image.width}x{image.height} pixels). "
                         "Please upload a photo under 40 megapixels.")
    try:
        image.load()
        image = ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError) as error:
        raise ImageError("This image file is damaged or incomplete (for example a truncated JPEG). "
                         "Please upload it again.") from error
    return _to_rgb(image)


def _read_bytes(source: str | Path | bytes) -> bytes:
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:
        path = Path(source)
        if not path.is_file():
            raise ImageError(f"No such image file: {path.name}")
        if path.stat().st_size > MAX_BYTES:
            raise ImageError("This file is too large (over 30 MB). Please upload a smaller photo.")
        data = path.read_bytes()
    if not data:
        raise ImageError("This file is empty.")
    return data


def _open(data: bytes) -> Image.Image:
    previous = Image.MAX_IMAGE_PIXELS
    try:
        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageError("This image is too large to open safely (it looks like a decompression bomb). "
                         "Please upload a normal photo.") from error
    except UnidentifiedImageError as error:
        raise ImageError("This file is not an image Healify can read. Please upload a JPEG or PNG photo.") from error
    except OSError as error:
        raise ImageError("This image file is damaged and cannot be opened.") from error
    finally:
        Image.MAX_IMAGE_PIXELS = previous


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        array = np.asarray(image, dtype=np.float64)
        span = float(array.max() - array.min()) or 1.0
        image = Image.fromarray(((array - array.min()) / span * 255).astype(np.uint8))
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        background.alpha_composite(image.convert("RGBA"))
        image = background
    return image.convert("RGB")


def to_array(image: Image.Image, size: int) -> np.ndarray:
    """The model input: a (size, size, 3) uint8 array, the whole photo resized (not cropped)."""
    return np.asarray(image.resize((size, size), Image.Resampling.BILINEAR, reducing_gap=2.0), dtype=np.uint8)
