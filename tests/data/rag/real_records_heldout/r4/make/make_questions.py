import json
P = ["docs/P1_flank_pain_ureteral_stone_consult.txt",
     "docs/P2_ureteroscopy_laser_lithotripsy_op_note.txt",
     "docs/P3_microhematuria_kidney_stone_followup.txt"]
Q = ["docs/Q1_total_thyroidectomy_multinodular_goiter.txt",
     "docs/Q2_total_thyroidectomy_graves_goiter.txt",
     "docs/Q3_left_thyroid_lumpectomy_hot_nodule.txt"]
qs = []
def a(s, q, e): qs.append({"set": s, "q": q, "expect": e})
# ---- set P: left kidney stone ----
a("P", "How big was the stone stuck in the tube from my left kidney when I first came in with the side pain?", ["1.3 cm in size"])
a("P", "How long had I been having the pain in my belly and back before the kidney doctor saw me?", ["four to five days"])
a("P", "What was my kidney blood test number (creatinine) at the visit for my left side pain?", ["creatinine is 0.92"])
a("P", "Who sent me to the urologist for the pain in my side?", ["referred to us from Dr. X"])
a("P", "Which x-ray were they going to take before the surgery to find exactly where the stone was?", ["plan for KUB", "KUB to evaluate for the exact location"])
a("P", "Which antibiotic did they give me for the laser stone operation, and how much?", ["1 g of Ancef"])
a("P", "Into how many pieces did the laser break up my stone?", ["5 to 6 small pieces"])
a("P", "After the operation, when was I supposed to pull the string and take the stent out?", ["pull the string in about 24 hours", "remove the stent the next day"])
a("P", "Why did they leave the stent in with a string on it at the end of the stone operation?", ["Due to the edema and the surgery"])
a("P", "What kind of anesthesia did I have for the stone surgery?", ["ANESTHESIA: LMA"])
a("P", "What did the kidney ultrasound from July 2008 show?", ["6 mm left intrarenal stone", "with no hydronephrosis"])
a("P", "How much pee am I supposed to make every day to help with the stones?", ["over 2 liters of urine within 24 hours"])
a("P", "Because of the tiny bit of blood in my urine, which test did I agree to have next?", ["agreeable to cystoscopy", "follow up for cystoscopy"])
a("P", "What was my kidney stone made of - what did the lab analysis of the pieces show?", None)
a("P", "Which germ grew in my urine culture?", None)
a("P", "What is the name and dose of the pain pills I was supposed to take at home after the stone operation?", None)
a("P", "What was my blood pressure reading when I was seen for the flank pain?", None)
a("P", "What did the urine cytology test (looking at the cells in my pee) show?", None)
# ---- set Q: thyroid surgery ----
a("Q", "What did the needle test on my thyroid lumps show before the operation?", ["benign by fine needle aspiration"])
a("Q", "How long was the cut they made on my neck for the goiter operation?", ["7 cm incision"])
a("Q", "Why did the surgeon inject a steroid shot into my neck incision, and which drug was it?", ["history of keloid formation", "Kenalog"])
a("Q", "After the operation, were my vocal cords still moving normally?", ["intact bilateral true vocal fold mobility"])
a("Q", "What kind of drain did they leave in my neck after taking out the goiter?", ["1/8th inch Hemovac drain"])
a("Q", "On what date did I go into ABCD General Hospital to have my thyroid removed?", ["09/04/2003"])
a("Q", "Which thyroid condition did I have that the medicine couldn't get under control?", ["Graves disease", "Suppression was attempted"])
a("Q", "In my Graves disease operation, did the surgeon find anything unusual about the right side of my thyroid?", ["is a bi-lobule", "bilobed right thyroid", "no isthmus"])
a("Q", "What did the thyroid uptake scan show?", ["hot nodule on the left anterior pole"])
a("Q", "How much blood did I lose when they took the lump out of the left side of my thyroid?", ["Less than 50 cc"])
a("Q", "How long were they going to keep me in hospital after the left thyroid lump was removed?", ["23-hour observation"])
a("Q", "When do I need to be seen again after the lump operation on my thyroid?", ["followed up in one week"])
a("Q", "How big was the lump the surgeon felt in my thyroid?", ["approximately 1 cm diameter"])
a("Q", "What did the lab report say about my thyroid tissue after it was removed - was there any cancer?", None)
a("Q", "What dose of thyroid hormone pill should I take now that my thyroid is gone?", None)
a("Q", "What was my calcium level in the blood after the thyroid surgery?", None)
a("Q", "What were my thyroid blood test results (TSH or T4) before the operation?", None)
a("Q", "How much radioactive iodine was I given for the thyroid uptake scan?", None)
json.dump({"sets": {"P": P, "Q": Q}, "questions": qs}, open("questions.json", "w"), indent=1, ensure_ascii=False)
print(len(qs))
