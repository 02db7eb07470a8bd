import json
K = ["docs/K1_patient_chart_summary_ccd.txt", "docs/K2_transfer_summary.txt"]
L = ["docs/L1_summary_of_care_costal_chondritis.txt", "docs/L2_visit_summary_hypertension.txt"]
Q = [
 # ---- set K (Eve Betterhalf / Everywoman) ----
 ("K", "According to my chart summary from August 2013, when did I first start using my Proventil asthma puffer?", ["Jan 3, 2011"]),
 ("K", "Which doctor is keeping an eye on my asthma inhaler?", ["Penny Puffer, MD"]),
 ("K", "What blood thinner have I been on since my mini stroke?", ["taking warfarin since then", "warfarin"]),
 ("K", "which pill am i taking for the high cholesterol they found?", ["Lipitor"]),
 ("K", "What did the CT scan of my kidneys with the dye show?", ["infarction of an area of the lower pole"]),
 ("K", "When I was seen in the urology office, what did my pee test find?", ["Urinalysis showed 1+ occult blood", "1+ occult blood"]),
 ("K", "Why did I end up in the emergency room before I was sent to the kidney specialists?", ["sudden onset of severe", "associated with gross hematuria"]),
 ("K", "Back between 2009 and 2011, how many cigarettes a day was I smoking?", ["10-19/day", "Moderate cigarette smoker, 10-19/day"]),
 ("K", "When is my next flu jab planned?", ["November 15, 2013"]),
 ("K", "How much did I weigh at the September 2012 check?", ["Weight - Sept 10, 2012: 86 kg"]),
 ("K", "What was my blood pressure on August 1, 2013?", ["Blood Pressure - August 1, 2013: 128/80"]),
 ("K", "What exactly is the sore on my knee that the nurses are doing wound care for?", ["Stage 3 Pressure Ulcer"]),
 ("K", "Where did I go for my checkup in September 2012?", ["Community Urgent Care Center"]),
 ("K", "What was my cholesterol number when they diagnosed the high cholesterol?", None),
 ("K", "What did the MRI of my kidney show?", None),
 ("K", "What is my kidney function number - my creatinine?", None),
 ("K", "How many milligrams of warfarin am I supposed to take each day?", None),
 ("K", "What was my last blood sugar or A1c result for my diabetes?", None),
 # ---- set L (Adam Everyman, two Allscripts exports) ----
 ("L", "What was I seen for at the July 2013 visit?", ["Costal chondritis"]),
 ("L", "How often am I allowed to use my Proventil inhaler?", ["INHALE 2 PUFFS Every 6 hours PRN wheezing", "2 PUFFS Every 6 hours"]),
 ("L", "what happens to me when i take codeine", ["Reaction: Nausea"]),
 ("L", "Which antibiotic am I allergic to, and what reaction did it give me?", ["Penicillin G Potassium SOLR", "Reaction: Hives"]),
 ("L", "When did I get my swine flu (H1N1) jab?", ["15-Aug-2010"]),
 ("L", "What was my blood pressure at the July 2013 appointment?", ["Test: BP Systolic | Result: 150 mm[Hg]", "Test: BP Diastolic | Result: 95 mm[Hg]"]),
 ("L", "My blood test for carbon dioxide (bicarb) - what number did it come back as?", ["25.2 mmol/L"]),
 ("L", "When is my breathing test with the lung doctor supposed to happen?", ["To Be Done: 16 Jul 2013", "Pulmonary Function Test Referral"]),
 ("L", "Since when have I had high blood pressure on my problem list?", ["Onset: 30-Mar-2012"]),
 ("L", "What was my blood pressure back at the March 2012 visit?", ["Test: BP Systolic | Result: 160", "Test: BP Diastolic | Result: 98"]),
 ("L", "Which arm did they give me the flu shot in, in March 2012?", ["Site: Left arm"]),
 ("L", "According to the family practice clinic, when did I start smoking?", ["Started 9-Mar-2011"]),
 ("L", "Who saw me for my asthma in September 2011?", ["Seven, Henry"]),
 ("L", "What did my lung function breathing test show?", None),
 ("L", "What dose of blood pressure pill am I taking for my hypertension?", None),
 ("L", "What did the chest x-ray for my rib pain show?", None),
 ("L", "What was my cholesterol level?", None),
 ("L", "How many cigarettes a day am I smoking?", None),
]
out = {"sets": {"K": K, "L": L},
       "questions": [{"set": s, "q": q, "expect": e} for s, q, e in Q]}
with open("questions.json", "w", encoding="utf-8") as f:
    json.dump(out, f, indent=1, ensure_ascii=False)
    f.write("\n")
