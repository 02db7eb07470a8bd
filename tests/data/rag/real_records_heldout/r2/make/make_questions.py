"""Write ../questions.json (one question per line). Expect strings are copied verbatim from docs/."""
import json
from pathlib import Path
HERE = Path(__file__).resolve().parent
SETS = {
    "W": ["docs/W1_transfer_summary_chest_pain.txt", "docs/W2_cardiac_cath_stent_report.txt",
          "docs/W3_nuclear_stress_test.txt", "docs/W4_cardiology_office_visit.txt"],
    "X": ["docs/X1_bariatric_surgery_consult.txt", "docs/X2_gastric_bypass_operative_note.txt",
          "docs/X3_gastric_bypass_discharge_summary.txt", "docs/X4_lap_band_adjustment_visit.txt"],
}
Q = [
    # set W: chest pressure -> transfer for heart cath -> stent for heart attack -> stress test -> cardiology follow-up
    ("W", "why did they want to send me over to the other hospital?", ["Need for cardiac catheterization"]),
    ("W", "the heart ultrasound they did at the first hospital before the transfer - what was my pumping percentage?", ["EF of 62%"]),
    ("W", "they found a spot on my brain scan, how big is it", ["1 cm lesion in the right parietal lobe", "1.1 cm lesion in the medial aspect"]),
    ("W", "and the blood thinner shot i was getting before they moved me for the cath, how much was it?", ["Lovenox 40 mg"]),
    ("W", "which artery was the blocked one that caused my heart attack", ["culprit lesion, left anterior descending"]),
    ("W", "what size stent did they put in me", ["2.5 x 18-mm Endeavor stent"]),
    ("W", "did the cath show any other narrowed arteries besides the one they fixed?", ["Right coronary 70% mid vessel stenosis", "Two-vessel coronary disease"]),
    ("W", "during the heart cath when they squirted dye in the pumping chamber, how well was my heart squeezing?", ["estimated at 45% to 50%"]),
    ("W", "so which pills did they say to start after the stent went in", ["Start aspirin, Plavix, beta-blocker"]),
    ("W", "for the nuclear stress test where they gave me a drug instead of walking on the treadmill - which drug and how much?", ["53 mg of Persantine"]),
    ("W", "was there any sign of poor blood flow to the heart on the nuclear scan", ["Mild septal ischemia"]),
    ("W", "how much of my water pill am i supposed to take each day", ["Lasix 80 mg daily"]),
    ("W", "when does the heart doctor want to see me again after the office visit?", ["in my office in four weeks"]),
    ("W", "what were my cholesterol numbers after the heart attack?", None),
    ("W", "what did the brain doctor say about the spot on my MRI", None),
    ("W", "did the ultrasound of my legs show any blood clots?", None),
    ("W", "how high did my troponin go when i came in with the chest pressure", None),
    ("W", "when did i get my defibrillator put in?", None),
    # set X: weight-loss surgery: consult -> gastric bypass operation -> discharge -> lap band adjustment visit
    ("X", "what was my BMI at the first weight loss surgery consult", ["body mass index of 41"]),
    ("X", "what dose is my cholesterol pill?", ["Crestor 20 mg p.o. daily"]),
    ("X", "which antibiotic am i allergic to and what does it do to me", ["Bactrim which causes a rash"]),
    ("X", "what year did i have my gallbladder taken out?", ["gallbladder resection done in 2002"]),
    ("X", "how long was i supposed to do the Medifast shakes before surgery, and what was the point of it", ["six weeks of Medifast", "10% preoperative weight loss"]),
    ("X", "what pressure did they pump my belly up to with the gas during the bypass?", ["maximum pressure of 15 mmHg"]),
    ("X", "did they check for leaks with the camera during the bypass surgery", ["There was no air leak seen"]),
    ("X", "what kind of stitches did they use to close the skin cuts", ["incisions with running Monocryl"]),
    ("X", "what prescriptions did they leave for me when i went home after the bypass?", ["omeprazole and Lortab"]),
    ("X", "how much fluid am i supposed to drink a day at home after the gastric bypass", ["goal 64 ounces per day"]),
    ("X", "so how much fluid is in my band now?", ["total of 7 mL within her band", "approximately 7 mL in her band"]),
    ("X", "what was my BMI when they adjusted the band", ["BMI is 38.5"]),
    ("X", "when do they want me back for the next band fill?", ["come back in two weeks"]),
    ("X", "what were my vitamin levels before the bypass, was i low on anything", None),
    ("X", "so what did the psychologist say at my pre-surgery evaluation?", None),
    ("X", "what did the barium swallow x-ray show before my surgery", None),
    ("X", "how much blood did i lose during the gastric bypass operation?", None),
    ("X", "what was my hemoglobin the day after the surgery", None),
]
items = [{"set": s, "q": q, "expect": e} for s, q, e in Q]
body = ",\n".join("  " + json.dumps(i, ensure_ascii=False) for i in items)
text = '{"sets": ' + json.dumps(SETS) + ',\n "questions": [\n' + body + "\n]}\n"
json.loads(text)
(HERE.parent / "questions.json").write_text(text, encoding="utf-8")
print(len(items), "questions written")
