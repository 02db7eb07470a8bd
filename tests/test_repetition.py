"""Loop guard: the elephant loop from issue 13 ends after one copy; ordinary text is left alone."""
import threading

import torch

from safety.repetition import (
    RepetitionGuard,
    RepetitionStoppingCriteria,
    repetition_cut,
    stop_on_repetition,
    strip_repetition,
    token_loop,
)

ELEPHANT = "The elephant is feeling unwell."
PASSAGE = ("Shingles is a disease caused by the varicella-zoster virus, the same virus that causes chickenpox. "
           "After you have chickenpox, the virus stays in your body. It may not cause problems for many years. "
           "As you get older, the virus may reappear as shingles. You can't catch shingles from someone who has it. "
           "However, if you have a shingles rash, you can pass the virus to someone who has never had chickenpox.")


def test_elephant_loop_in_finished_text_becomes_one_copy():
    looped = " ".join([ELEPHANT] * 50)
    assert strip_repetition(looped) == ELEPHANT


def test_elephant_loop_in_a_stream_stops_generation():
    stop = threading.Event()
    produced = []

    def deltas():
        for _ in range(50):
            for word in ELEPHANT.split(" "):
                produced.append(word)
                yield word + " "

    shown = "".join(stop_on_repetition(deltas(), stop))
    assert shown.strip() == ELEPHANT
    assert stop.is_set()
    assert len(produced) < 3 * len(ELEPHANT.split())  # generation was cut, not run to the end


def test_phrase_loop_inside_one_sentence_is_cut():
    text = "Drink water and rest and drink water and rest and drink water and rest and drink water and rest"
    cut = strip_repetition(text)
    assert cut.lower().count("drink water and rest") == 1


def test_real_passage_is_untouched():
    assert repetition_cut(PASSAGE) is None
    guard = RepetitionGuard()
    for word in PASSAGE.split(" "):
        guard.feed(word + " ")
    assert not guard.looping and guard.text.strip() == PASSAGE


def test_token_ids_loop_and_stopping_criterion():
    prompt = [101, 7, 8]
    loop = [5, 6, 7, 8, 9, 10] * 4
    assert token_loop(loop)
    assert not token_loop(list(range(40)))
    assert not token_loop([5, 6, 7, 8, 9, 10] * 2)
    criterion = RepetitionStoppingCriteria(prompt_length=len(prompt))
    ids = torch.tensor([prompt + loop, prompt + list(range(24))])
    assert criterion(ids, None).tolist() == [True, False]
