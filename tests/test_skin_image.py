"""SkinGuard image loading: every awkward upload becomes RGB or a clear ImageError."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from models.skin_image import ImageError, load_rgb, to_array


def encoded(image: Image.Image, fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


@pytest.mark.parametrize("mode,fmt", [("L", "PNG"), ("LA", "PNG"), ("RGBA", "PNG"), ("P", "PNG"),
                                      ("CMYK", "JPEG"), ("I;16", "PNG"), ("1", "PNG")])
def test_every_colour_mode_becomes_rgb(mode, fmt):
    image = Image.new(mode, (40, 30))
    rgb = load_rgb(encoded(image, fmt))
    assert rgb.mode == "RGB" and rgb.size == (40, 30)


def test_transparent_pixels_are_composited_on_white():
    image = Image.new("RGBA", (8, 8), (200, 0, 0, 0))
    assert load_rgb(encoded(image, "PNG")).getpixel((0, 0)) == (255, 255, 255)


def test_file_path_and_array_size(tmp_path):
    path = tmp_path / "spot.jpg"
    Image.new("RGB", (200, 150), (180, 120, 100)).save(path)
    array = to_array(load_rgb(path), 112)
    assert array.shape == (112, 112, 3) and array.dtype == np.uint8
    assert abs(int(array[50, 50, 0]) - 180) <= 2


@pytest.mark.parametrize("data,message", [
    (b"", "empty"),
    (b"%PDF-1.4 not an image at all", "not an image"),
    (b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "damaged"),
])
def test_non_images_are_refused(data, message):
    with pytest.raises(ImageError, match=message):
        load_rgb(data)


def test_truncated_jpeg_is_refused():
    data = encoded(Image.effect_noise((300, 300), 60).convert("RGB"), "JPEG", quality=95)
    with pytest.raises(ImageError, match="damaged or incomplete"):
        load_rgb(data[: len(data) // 2])


def test_decompression_bomb_is_refused():
    bomb = encoded(Image.new("1", (9000, 9000)), "PNG")  # a tiny file that decodes to 81 megapixels
    assert len(bomb) < 100_000
    with pytest.raises(ImageError, match="too large"):
        load_rgb(bomb)


def test_missing_file(tmp_path):
    with pytest.raises(ImageError, match="No such image"):
        load_rgb(tmp_path / "nope.jpg")
