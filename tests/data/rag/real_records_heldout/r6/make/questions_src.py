import json, os
M = ["docs/M1_discharge_summary_aspiration_pneumonia_copd.txt",
     "docs/M2_discharge_summary_atypical_pneumonia.txt",
     "docs/M3_pulmonary_clinic_followup_copd.txt",
     "docs/M4_pulmonary_function_test.txt"]
N = ["docs/N1_operative_note_right_total_knee_arthroplasty.txt",
     "docs/N2_discharge_summary_total_knee_arthroplasty.txt",
     "docs/N3_rehab_discharge_summary_after_knee_replacement.txt"]
Q = [
 # ---- M: pneumonia / COPD
 ("M", "What day did I end up in the emergency room because I couldn't catch my breath?", ["04/23/08"]),
 ("M", "How much of the clindamycin antibiotic am I supposed to take once I'm home, and how often?", ["Clindamycin 300 mg p.o. q.i.d."]),
 ("M", "They had me do a swallowing x-ray test. Was anything wrong with how I swallow?", ["swallow was thought to be unremarkable"]),
 ("M", "Why was I given diltiazem and digoxin while I was in the hospital?", ["poorly controlled atrial fibrillation"]),
 ("M", "how many units of my lantus insulin do i take in the morning", ["Lantus 25 units subcu q.a.m."]),
 ("M", "What did the chest x-ray show on the day I was admitted?", ["mild vascular congestion", "bilateral pleural effusions"]),
 ("M", "Did the CT scan they did while I had pneumonia find anything?", ["no specific focal pathology was seen"]),
 ("M", "Which antibiotic did I react badly to before I got admitted?", ["started on Avelox, but had a reaction"]),
 ("M", "What dose of methotrexate am I on for my arthritis?", ["20 mg of methotrexate every week"]),
 ("M", "Who did the hospital talk to about my home health care after I left?", ["Shaun Eagan"]),
 ("M", "At the lung clinic visit, what was my oxygen level when I was resting?", ["at rest it was 90%"]),
 ("M", "Did my breathing test show that my airways are blocked?", ["no significant obstructive disease", "mild restrictive pulmonary disease"]),
 ("M", "What was the FEV1 number on my breathing test?", ["93% predicted"]),
 ("M", "What was my blood sugar or A1c level during the hospital stay?", None),
 ("M", "What did my sleep study show?", None),
 ("M", "How many milligrams of azithromycin was I taking?", None),
 ("M", "What was my kidney blood test (creatinine) number when I was admitted?", None),
 ("M", "What did the ultrasound of my heart show?", None),
 # ---- N: knee replacement
 ("N", "What brand of parts did they use for my new knee?", ["Biomet cemented components"]),
 ("N", "How thick is the plastic piece they put in my new knee?", ["12-mm polyethylene insert"]),
 ("N", "When the surgeon opened up my knee, how bad was the arthritis?", ["severe osteoarthritis of the lateral"]),
 ("N", "When did they take the drain out of my knee?", ["postoperative day #2"]),
 ("N", "What medicines was I taking before the knee surgery?", ["Mirapex, ibuprofen, and Ambien"]),
 ("N", "When I leave rehab, how much Celebrex do I take and for how long?", ["Celebrex 200 mg daily, for one month"]),
 ("N", "How many milligrams of Coumadin am I taking right now?", ["Coumadin 7 mg daily"]),
 ("N", "Why did I get that itchy rash on my arm and belly?", ["contact dermatitis", "gardening activities"]),
 ("N", "My calf was sore - did the ultrasound of my legs find a blood clot?", ["showed no DVT bilaterally"]),
 ("N", "what was my hemoglobin in rehab", ["hemoglobin was 12.1"]),
 ("N", "How many units of blood did they give me after the operation?", ["2 units of autologous blood"]),
 ("N", "Who do I see for my follow-up visit after rehab, and on what date?", ["Dr. A on 09/21/2007"]),
 ("N", "Which pain pill was I switched to when the knee pain kept me awake at night?", ["oxycodone SR 20 mg b.i.d."]),
 ("N", "How far could I bend my knee, in degrees, when I left rehab?", None),
 ("N", "What did the x-ray of my new knee show after the surgery?", None),
 ("N", "Which antibiotic did they give me before the operation, and how much?", None),
 ("N", "How much did I weigh when I had the knee replacement?", None),
 ("N", "When are my staples supposed to come out?", None),
]
out = {"sets": {"M": M, "N": N},
       "questions": [{"set": s, "q": q, "expect": e} for s, q, e in Q]}
base = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
with open(os.path.join(base, "questions.json"), "w", encoding="utf-8") as f:
    json.dump(out, f, indent=1, ensure_ascii=False)
