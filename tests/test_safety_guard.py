"""The numeric faithfulness guard."""
from safety.guard import StreamGuard, guard_text, normalize_number, numbers_in, unsupported_numbers

SOURCE = "Hemoglobin 10.2 g/dL (ref 13.5-17.5) low; Glycémie 1,26 g/l [0,70 - 1,10] high"


def test_numbers_are_normalised_across_formats():
    assert normalize_number("3,50") == normalize_number("3.5") == "3.5"
    assert normalize_number("+7") == normalize_number("7.0") == "7"
    assert numbers_in("range 13.5-17.5, see [2]") == {"13.5", "17.5"}


def test_supported_numbers_pass_and_invented_ones_are_replaced():
    text = "Your hemoglobin is 10.2 g/dL, below 13.5. Your glucose of 1.26 g/l is high. Normal is 99 mg/dL."
    result = guard_text(text, SOURCE, fallback=lambda sentence: "Ask your doctor about this value.")
    assert result.replaced == ["Normal is 99 mg/dL."]
    assert "99" not in result.text and "Ask your doctor" in result.text
    assert "10.2" in result.text and "1.26" in result.text
    assert unsupported_numbers("It rose to 11 g/dL", SOURCE) == {"11"}


def test_stream_guard_only_shows_checked_sentences():
    guard = StreamGuard(SOURCE)
    shown = guard.feed("Hemoglobin is 10")
    assert shown == ""  # an unfinished sentence is held back
    guard.feed(".2 g/dL. It should be 1")
    assert "10.2" in guard.text
    final = guard.finish()
    assert "should be 1" not in final.text and final.replaced == ["It should be 1"]


def test_a_real_number_with_the_wrong_unit_is_caught():
    source = "White Blood Cells 3.2 K/uL (ref 4.5-11) low; Neutrophils 82.5 % high; Hemoglobin 9.8 g/dL"
    assert unsupported_numbers("Your white cells are 3.2 K/uL.", source) == set()
    assert unsupported_numbers("Your white cells are 3.2%.", source) == {"3.2"}
    assert unsupported_numbers("Hemoglobin 9.8 g/L is low.", source) == {"9.8"}
    assert unsupported_numbers("Neutrophils at 82.5 percent; range up to 11.", source) == set()
    result = guard_text("White cells are 3.2 %. Neutrophils are 82.5 %.", source)
    assert result.replaced == ["White cells are 3.2 %. "]
