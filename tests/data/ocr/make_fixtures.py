"""Writes the OCR fixtures of this folder (own-made, no real patient): a Russian CBC page photographed slightly
tilted, in the layout of Russian lab printouts (name with the English abbreviation, value, unit, '(a-b)' range,
'Не обнаружены' rows). Run from the repository root: python tests/data/ocr/make_fixtures.py"""
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
ROWS = [("Лейкоциты (WBC)", "11.20", "10е9/л", "(4.00-9.00)"),
        ("Гемоглобин (HGB)", "131", "г/л", "(120-160)"),
        ("Тромбоциты (PLT)", "240", "10е9/л", "(150-400)"),
        ("Глюкоза", "6.8", "ммоль/л", "(3.9-6.1)"),
        ("Креатинин", "88", "мкмоль/л", "(62-106)"),
        ("АлАТ", "25", "Ед/л", "(< 41)"),
        ("Нормобласты", "Не обнаружены", "", "Не обнаружены")]


def main() -> None:
    font = ImageFont.truetype(FONT, 30)
    page = Image.new("L", (1400, 620), 255)
    draw = ImageDraw.Draw(page)
    draw.text((40, 30), "Клинический анализ крови", font=font, fill=0)
    for index, (name, value, unit, ref) in enumerate(ROWS):
        y = 110 + 66 * index
        for x, text in ((40, name), (560, value), (820, unit), (1060, ref)):
            draw.text((x, y), text, font=font, fill=0)
    page.rotate(1.5, expand=True, fillcolor=255).save(HERE / "ru_cbc_photo.png", optimize=True)


if __name__ == "__main__":
    main()
