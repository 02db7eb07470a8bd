"""HealyChat on records written the way real ones are (own-made fixtures in tests/data/rag/real_like/): the
report's findings answer "what did X show", a procedure list does not, time qualifiers and reasons are read,
and a file name that says nothing does not hide what a document is."""
from __future__ import annotations

from pathlib import Path

import pytest

from rag.service import RagService
from settings import Settings
from storage.sessions import SessionStore
from tests.conftest import record_set

REAL_LIKE = Path(__file__).parent / "data" / "rag" / "real_like"


@pytest.fixture(scope="module")
def session_and_service(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("real_like")
    service = RagService(Settings(data_dir=str(tmp / "data")))
    session = SessionStore(tmp / "sessions").get("a")
    # Uploaded under names that say nothing about the documents.
    for number, name in enumerate(("preop_history_physical.txt", "ct_report.txt", "ccda_summary.txt"), start=1):
        service.add_document(session, f"record_{number}.txt", [(REAL_LIKE / name).read_text(encoding="utf-8")])
    return service, session


def ask(session_and_service, question: str):
    service, session = session_and_service
    return service.answer(session, question)


def top3(answer) -> str:
    return " ".join(s.text for s in answer.sources[:3])


def one_record(tmp_path, name: str, pages: list[str]):
    """A fresh service and session holding one record."""
    service = RagService(Settings(data_dir=str(tmp_path / "data")))
    session = SessionStore(tmp_path / "sessions").get("one")
    service.add_document(session, name, pages)
    return service, session


def test_what_did_the_scan_show_is_answered_from_its_findings(session_and_service):
    answer = ask(session_and_service, "What did the CT of my tummy show?")
    assert not answer.abstained
    assert "appendicitis" in answer.answer.lower() or "appendix is enlarged" in answer.answer
    assert "Omnipaque" not in answer.answer  # not the technique line that names the CT


def test_a_procedure_list_names_a_test_but_holds_no_finding(session_and_service):
    for question in ("What did my cardiac catheterization show?", "What did my chest X-ray show?"):
        answer = ask(session_and_service, question)
        assert answer.abstained and "cannot find" in answer.answer, question


def test_after_the_operation_is_not_answered_from_the_pre_operative_note(session_and_service):
    assert ask(session_and_service, "What was my PSA after the operation?").abstained
    before = ask(session_and_service, "What was my PSA before the operation?")
    assert not before.abstained and "6.4" in before.answer


def test_why_questions_are_answered_by_the_reason(session_and_service):
    admitted = ask(session_and_service, "Why was I admitted to hospital?")
    assert not admitted.abstained and "SHORTNESS OF BREATH" in admitted.answer
    scanned = ask(session_and_service, "Why did I have the CT scan?")
    assert not scanned.abstained and "Right lower quadrant pain" in top3(scanned)


def test_lab_table_short_names_are_read_as_words(session_and_service):
    answer = ask(session_and_service, "Was there protein in my urine?")
    assert not answer.abstained and "1Prot Ur Strip-mCnc | Result: 30" in top3(answer)


def test_column_names_and_lettered_names_are_not_topic_words(session_and_service):
    # "Units: pH" is no answer to units of blood; "Vitamin C" is not vitamin D.
    assert ask(session_and_service, "How many units of blood was I given?").abstained
    assert ask(session_and_service, "What was my vitamin D level?").abstained


def test_a_dose_must_belong_to_the_medicine_asked_about(session_and_service):
    # "folic acid daily" sits in a list between two medicines that have doses.
    assert ask(session_and_service, "How much folic acid do I take?").abstained
    answer = ask(session_and_service, "What dose of metoprolol do I take?")
    assert not answer.abstained and "Metoprolol 25 mg" in answer.answer


def test_a_pending_or_listed_item_says_nothing_about_its_content(session_and_service):
    assert ask(session_and_service, "What did the cardiac catheterization say?").abstained


def test_a_describing_word_is_not_what_the_question_asks_about(tmp_path):
    """'How strong' describes; the question is about the pumping. A test ordered but never resulted is not an answer.
    A describing word no record uses ('the right amount') is no missing topic either."""
    service, session = one_record(tmp_path, "notes.txt", [
        "ECHOCARDIOGRAM REPORT\nFINDINGS: The left ventricle is dilated. LV ejection fraction is estimated at 35%.\n\n"
        "LABS: Iron panel and ferritin (ordered 03/13/2021) | Status: Result not received\n\n"
        "OBSTETRIC ULTRASOUND\nAMNIOTIC FLUID: Liquor volume: Normal. Deepest vertical pocket 6.8 cm.\n"])
    pumping = service.answer(session, "How strong was my heart pumping on the heart scan?")
    assert not pumping.abstained and "35%" in pumping.answer
    assert service.answer(session, "What were my iron levels?").abstained  # ordered, never resulted
    water = service.answer(session, "Is there the right amount of water around the baby?")
    assert not water.abstained and "Liquor volume" in water.answer


def test_lay_fillers_months_requests_and_targets(tmp_path):
    """Chatty words ("actually", "in the first place") are no missing topic; "in June" finds a 19/06/2023 result;
    a request to repeat a test, a referral and a target are not results; "Dr." does not end a sentence."""
    service, session = one_record(tmp_path, "letter.txt", [
        "RENAL CLINIC LETTER\n"
        "Because the haematuria and the rapid decline raised the possibility of IgA nephropathy, we arranged "
        "a kidney biopsy.\n\n"
        "RESULTS (taken 19/06/2023):\nPotassium | 4.6 | mmol/L | 3.5-5.3\n\n"
        "PLAN:\n1. Atorvastatin 40 mg at night (target LDL < 1.8 mmol/L).\n"
        "2. I would be grateful if you could repeat the renal profile in 6 weeks.\n"
        "3. A referral to the renal dietitian has been made.\n"
        "FOLLOW-UP: Cardiology clinic - Dr. Miriam Hollis, 03/22/2021 at 10:30 AM.\n"])
    why = service.answer(session, "Why did I actually need a kidney biopsy in the first place?")
    assert not why.abstained and "IgA nephropathy" in why.answer
    june = service.answer(session, "What was my potassium in the June blood test?")
    assert not june.abstained and "4.6" in june.answer
    assert service.answer(session, "What was my cholesterol level?").abstained  # only a target
    assert service.answer(session, "What did the repeat kidney blood test in 6 weeks show?").abstained
    assert service.answer(session, "When is my appointment with the dietitian?").abstained  # referred, no date
    heart = service.answer(session, "When is my appointment with the heart doctor?")
    assert not heart.abstained and "03/22/2021" in heart.answer


def test_a_cumulative_tables_row_answers_with_its_dates(tmp_path):
    """The column line gives each row its sample dates, so "in January" finds the row and the quote shows them."""
    service, session = one_record(tmp_path, "results.txt", [
        "CUMULATIVE RESULTS\n\nDIABETES\nTest | 06/01/2025 | 24/03/2025 | Unit | Range\n"
        "HbA1c (IFCC) | 64 H | 58 H | mmol/mol | 20-41\nGlucose (random) | 9.0 H | 8.1 H | mmol/L | 3.0-7.8\n"])
    answer = service.answer(session, "How did my sugar test over 3 months look back in January?")
    assert not answer.abstained and "06/01/2025" in answer.answer and "HbA1c (IFCC) | 64 H | 58 H" in answer.answer



def test_a_date_is_no_count_and_a_preop_value_is_no_value_after_the_operation(tmp_path):
    """'How many cigarettes a day' is not answered by a concern dated June 16, 2013; 'after the operation' is not
    answered by the discharge summary's 'Preop CEA'."""
    service, session = one_record(tmp_path, "care_plan.txt", [
        "HEALTH CONCERNS SECTION\nConcern: Current every day smoker | Status: Active | Date: Concern from June 16, 2013\n"])
    assert service.answer(session, "How many cigarettes a day do I smoke?").abstained
    service, session = one_record(tmp_path, "discharge_summary.txt", [
        "DISCHARGE SUMMARY\nBACKGROUND: Sigmoid adenocarcinoma. Preop CEA 6.8 ug/L (ref <5).\n"
        "OPERATION: Laparoscopic anterior resection on 12/04/2024.\n"])
    after = service.answer(session, "What was my CEA after the operation?")
    assert after.abstained or "Preop CEA" not in after.answer
    before = service.answer(session, "What was my CEA before the operation?")
    assert not before.abstained and "6.8" in before.answer


def test_a_value_that_names_what_was_asked_is_not_refused_for_a_plan_that_names_more(tmp_path):
    """Writer set E: the potassium rows of the results table answer "my potassium on the blood test at my check-up
    at the end of March", although a follow-up plan covers more of the question's words."""
    service, session = record_set(tmp_path, "writer_records/w1", "E")
    answer = service.answer(session, "What was my potassium on the blood test at my check-up at the end of March?")
    assert not answer.abstained and "Potassium" in answer.answer


def test_a_miss_or_professor_is_a_name():
    from rag.answerability import holds_kind

    assert holds_kind("Surgeon: Miss Rebecca Thornhill, Consultant Paediatric Surgeon", "name")
    assert holds_kind("Reviewed by Professor Adeyemi", "name")
    assert not holds_kind("Surgeon to review in clinic", "name")


def test_a_sample_sent_off_is_no_result(tmp_path):
    """'What did my baseline tryptase come back as?' asks for a result; a row that says the sample was sent and
    its result awaited is none."""
    service, session = one_record(tmp_path, "allergy_letter.txt", [
        "ALLERGY CLINIC LETTER\nBLOODS TODAY:\nTest | Value | Unit | Range\n"
        "Baseline serum tryptase | sent | ug/L | result awaited\nTotal IgE | 412 | kU/L | <81\n"])
    answer = service.answer(session, "What did my baseline tryptase come back as?")
    assert answer.abstained, answer.answer


def test_describing_words_are_no_missing_topic(tmp_path):
    """r1's care-plan set: "anything in my file ... who confirmed it" asks about a resuscitation decision; "file"
    and "confirmed" are no topic the records must hold, so it is not refused."""
    service, session = record_set(tmp_path, "real_records_heldout/r1", "V")
    question = "Is there anything in my file about not bringing me back if my heart stops, and who confirmed it?"
    assert not service.answer(session, question).abstained


def test_a_month_asked_picks_the_value_of_that_month(tmp_path):
    """"In March" is answered by the March admission table, not by the January letter's bilirubin; a month no
    record is dated in is refused (read in the records' day/month order); another month named in the sentence of a document of the month asked is no
    contradiction ("improved from 74 in February", in the June results letter)."""
    service = RagService(Settings(data_dir=str(tmp_path / "data")))
    session = SessionStore(tmp_path / "sessions").get("dates")
    service.add_document(session, "gp_letter.txt", [
        "Riverside Surgery\n14 January 2025\nDear Dr Okafor,\nThank you for seeing Mrs Hale. Her liver tests on "
        "13/01/2025 were reassuring: bilirubin 12 umol/L, ALT 31 U/L. She reports intermittent itching.\n"])
    service.add_document(session, "admission.txt", [
        "ADMISSION BLOOD RESULTS\nDate | 03/03/2025 | 05/03/2025 | 07/03/2025\n-----|-----|-----|-----\n"
        "Bilirubin | 48 | 61 | 19\nALT | 240 | 310 | 120\n"])
    march = service.answer(session, "When I came into A&E in March, what was my jaundice level (bilirubin)?")
    assert not march.abstained and "Bilirubin | 48 | 61 | 19" in march.answer and "umol/L" not in march.answer
    january = service.answer(session, "What was my bilirubin in January?")
    assert not january.abstained and "bilirubin 12 umol/L" in january.answer
    assert service.answer(session, "What was my bilirubin in June?").abstained
    # "13/01/2025" shows these records write the day first: "05/03/2025" is 5 March, not 3 May
    assert service.answer(session, "What was my bilirubin in May?").abstained
    service, session = one_record(tmp_path / "june", "results_letter.txt", [
        "Your blood test results (taken 19/06/2023)\nHbA1c: 68 mmol/mol (8.4%) - improved from 74 mmol/mol in "
        "February but still above your target of 53.\n"])
    assert not service.answer(session, "What was my sugar test over 3 months in June?").abstained


def test_what_date_asks_for_a_day_on_the_calendar(tmp_path):
    """"At 6 weeks" tells when, but no date: "What date is my 6 week phone follow-up call?" is refused from it
    (the "6" is no topic: a dated "6 mm stone" does not answer), and answered once the note gives the day."""
    question = "What date is my 6 week phone follow-up call?"
    service, session = one_record(tmp_path, "operation_note.txt", [
        "OPERATION NOTE\nLaparoscopic cholecystectomy.\nDIAGNOSIS: Choledocholithiasis (6 mm distal CBD stone) - "
        "cleared at ERCP 06/03/25.\nPLAN: Telephone follow-up call at 6 weeks to discuss the histology.\n"])
    assert service.answer(session, question).abstained
    service, session = one_record(tmp_path / "dated", "operation_note.txt", [
        "OPERATION NOTE\nLaparoscopic cholecystectomy.\nPLAN: Telephone follow-up call booked for 14/05/2025 to "
        "discuss the histology.\n"])
    answer = service.answer(session, question)
    assert not answer.abstained and "14/05/2025" in answer.answer


def test_short_labelled_lines_are_statements_of_their_own(tmp_path):
    """"Blood cultures: sent" is short, but no part of the next line: "Chest X-ray: right lower lobe
    consolidation." answers what the chest X-ray showed on its own (it was quoted glued to "Blood cultures: sent")."""
    service, session = one_record(tmp_path, "admission.txt", [
        "ACUTE MEDICAL UNIT - ADMISSION CLERKING\nPatient: Ines Marlow   Hosp No: RM40021\nConsultant: Dr Tobias Wren\n"
        "PRESENTING COMPLAINT: Fever and cough for 4 days.\nINVESTIGATIONS\nBloods: Hb 131 g/L, WCC 14.2, CRP 88.\n"
        "Blood cultures: sent\nChest X-ray: right lower lobe consolidation.\nCT head: not performed.\n"])
    answer = service.answer(session, "What did the chest X-ray show?")
    assert not answer.abstained and "right lower lobe consolidation" in answer.answer
    assert "Blood cultures" not in answer.answer


def test_what_time_asks_for_a_clock_time(tmp_path):
    """"What time do I have to get there" is not answered by the day a treatment is booked for."""
    question = "What time do I have to get to the surgery center on the day of the lithotripsy?"
    booked = "UROLOGY CLINIC NOTE\nPLAN: Right ESWL scheduled 03/12/2025 at Riverbend Outpatient Surgery Center.\n"
    service, session = one_record(tmp_path, "urology.txt", [booked])
    assert service.answer(session, question).abstained
    service, session = one_record(tmp_path / "timed", "urology.txt", [booked + "Arrive at the surgery center at 07:30.\n"])
    answer = service.answer(session, question)
    assert not answer.abstained and "07:30" in answer.answer


def test_a_part_not_imaged_and_a_culture_only_sent_answer_nothing(tmp_path):
    """"Feet not imaged" is never quoted as what the X-ray of the feet showed; a germ is what a culture grew, not
    the culture sent."""
    service, session = one_record(tmp_path, "xray.txt", [
        "RADIOLOGY REPORT\nExamination: X-ray both hands and wrists (PA and oblique)\nReferrer: Dr Harriet Lyle, "
        "Rheumatology\nClinical details: New seropositive rheumatoid arthritis. Baseline for erosions.\n"
        "FINDINGS: Small marginal erosion at the right second MCP joint. Periarticular osteopenia.\n"
        "COMMENT: Feet not imaged.\n"])
    feet = service.answer(session, "What did the X-ray of my feet show?")
    assert feet.abstained or "not imaged" not in feet.answer
    assert not service.answer(session, "What did the X-ray of my hands show?").abstained
    question = "What germ was growing in my urine culture?"
    service, session = one_record(tmp_path / "sent", "ed_note.txt", [
        "EMERGENCY DEPARTMENT NOTE\nUrinalysis: nitrite positive, leukocyte esterase 2+.\nUrine culture sent.\n"])
    assert service.answer(session, question).abstained
    service, session = one_record(tmp_path / "grew", "results.txt", [
        "MICROBIOLOGY\nURINE CULTURE | >100,000 CFU/mL Escherichia coli | sensitive to nitrofurantoin\n"])
    answer = service.answer(session, question)
    assert not answer.abstained and "Escherichia coli" in answer.answer


def test_questions_for_a_relative_and_results_asked_for_but_not_given(tmp_path):
    """A relative asked about ("my husband", "his cholesterol") reads like oneself; a result only requested,
    ordered or "not come back yet", and a list item's number, answer no "what was the result / my value"."""
    service, session = one_record(tmp_path, "stroke_notes.txt", [
        "EMERGENCY DEPARTMENT - STROKE ALERT\nPatient: Gerald Okonkwo, 65 M   MRN 4410293\n"
        "Arrival: 14/02/2025 08:40 by EMS\nHPI: PMH HTN, T2DM and hyperlipidemia "
        "(not on statin - declined 2022). Last known well 08:05.\nTHROMBOLYSIS: Alteplase bolus given at 09:19, "
        "infusion over 60 min.\nPLAN:\n4. Optimise diabetes, blood pressure and lipid management.\n"
        "5. Pre-discharge workup ordered: vitamin D, ferritin.\n6. The urine sample sent to check for protein has not "
        "come back yet.\n"])
    answer = service.answer(session, "What time did they give my husband the clot busting drug?")
    assert not answer.abstained and "09:19" in answer.answer
    for question in ("What was his cholesterol?", "What was his blood pressure?", "What was his vitamin D level?",
                     "What did the urine test for protein show?"):
        assert service.answer(session, question).abstained, question


def test_real_record_phrasings_of_names_dates_plans_and_brands(tmp_path):
    """From C-CDA and dictated notes: a labelled performer is a name, "9-Mar-2011" and "postoperative day #2" are
    dates (no count), a study a patient "may require" is no finding, a lay phrase's drug brings its brand name
    ("cholesterol pill" -> atorvastatin -> Lipitor), and "milligrams" is what is asked, not the topic."""
    service, session = one_record(tmp_path, "summary.txt", [
        "SUMMARY OF CARE\nPatient: Adam Everyman   DOB: 01/11/1954\nGenerated: 17 Jun 2013\n"
        "ENCOUNTERS\nEncounter: Asthma review | Date: 12 Sep 2011 | Performer: Seven, Henry\n"
        "SOCIAL HISTORY\n- Smoker. current status unknown. Started 9-Mar-2011\n"
        "HOSPITAL COURSE\nTotal knee replacement. The drain was removed on postoperative day #2. The patient may "
        "require a sleep study after discharge.\nMEDICATIONS\nShe is currently taking Lipitor 20 mg daily and "
        "Coumadin 7 mg daily.\n"])
    for question, expected in (("Who saw me for my asthma in September 2011?", "Seven, Henry"),
                               ("When did they take the drain out of my knee?", "postoperative day #2"),
                               ("which pill am i taking for the high cholesterol?", "Lipitor"),
                               ("How many milligrams of Coumadin am I taking right now?", "Coumadin 7 mg")):
        answer = service.answer(session, question)
        assert not answer.abstained and expected in answer.answer, question
    for question in ("How many cigarettes a day am I smoking?", "What did my sleep study show?"):
        assert service.answer(session, question).abstained, question


def test_a_document_is_dated_by_its_header_and_a_test_not_done_has_no_value(tmp_path):
    """A follow-up note dated May that recalls a February stroke gives May's cholesterol, not February's; "PTH not
    indicated" after a calcium of 9.6 is no PTH level."""
    service, session = one_record(tmp_path, "followup.txt", [
        "RIVERSIDE MEDICAL CENTER - DEPARTMENT OF NEUROLOGY\nNEUROLOGY OUTPATIENT FOLLOW-UP\n"
        "Patient: Gerald Okonkwo   DOB: 03/14/1960   MRN: 4410293\nVisit date: 05/20/2025\n"
        "Clinician: Dr Ruth Adeyemi, MD   Referring: Dr Paul Haines (primary care)\n"
        "Reason for visit: 3-month follow-up after ischemic stroke\n"
        "HISTORY: Admitted in February 2025 with a left MCA stroke; atorvastatin 80 mg started at discharge.\n"
        "RESULTS\nTest | Result | Units | Reference range\nLDL cholesterol | 68 | mg/dL | <70\n"
        "PLAN: Serum Ca 9.6 normal, PTH not indicated at this time.\n"])
    may = service.answer(session, "What was his cholesterol in May?")
    assert not may.abstained and "LDL cholesterol | 68" in may.answer
    assert service.answer(session, "What was his cholesterol when he was in the hospital in February?").abstained
    assert service.answer(session, "What was my parathyroid hormone level?").abstained
