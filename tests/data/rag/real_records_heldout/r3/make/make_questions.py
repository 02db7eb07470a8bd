import json
OUT='/work/main/tests/data/rag/real_records_heldout/r3'
sets={"Y":["docs/Y1_clinic_visit_summary_ccda.txt","docs/Y2_hospital_stay_ccd.txt"],
      "Z":["docs/Z1_weight_loss_surgery_consult.txt","docs/Z2_weight_loss_surgery_consult_2.txt","docs/Z3_gastric_bypass_operation_note.txt"]}
Q=[
("Y","did i have the flu jab at the june 2015 visit or not?",["Delivery Status: Refused"]),
("Y","the antibiotic jabs from the clinic in june 2015 - what date do i stop them?",["StopDate: 2015-06-30"]),
("Y","what antibiotic did they run through my drip in hospital in december 2016, and what dose",["AMPICILLIN-SULBAC INJ (Unasyn)","Dose: 1.5 GM"]),
("Y","how often did they give me the drip antibiotic in the hospital",["EVERY EIGHT HOURS"]),
("Y","what kind of device have i got implanted for my heart",["implantable defibrillator"]),
("Y","and how fast was the iv fluid going in, per hour?",["Rate Quantity: 100.0 ML/HR"]),
("Y","did they give me a breathing treatment at the clinic?",["Nebulizer therapy"]),
("Y","when was i supposed to get the heart tracing done",["Get an EKG done on 6/23/2015"]),
("Y","so when is my follow up appointment back at the doctors office",["Practice on 7/1/2015"]),
("Y","why did dr davis want me to go into hospital?",["high fever noticed and suspected Anemia"]),
("Y","where did they send me after i left the hospital in december",["TO SHORT-TERM HOSPITAL FOR IP CARE"]),
("Y","which doctor ordered the poo sample test?",["ABDAYEM JOSEPH A"]),
("Y","what day did i get admitted to hospital in december 2016",["December 12, 2016 9:29:00 PM UTC","Encounter from: 2016-12-12"]),
("Y","what did the stool culture grow, was it an infection?",None),
("Y","whats my hemoglobin level, they said i might be anemic",None),
("Y","and what did my chest xray show",None),
("Y","how is my kidney function, whats my creatinine",None),
("Y","what were they actually treating me for in the hospital in december 2016?",None),
("Z","what was my bmi at the weight loss surgery consult",["He has a BMI of 51"]),
("Z","whats the most i have ever weighed",["at his highest he was 358 pounds"]),
("Z","at the consult where i was 344 lbs, which meds was i on?",["Include Diovan, Crestor, and Tricor."]),
("Z","what was that pill i was taking to quit smoking",["second week of Chantix"]),
("Z","why did i say i wanted the surgery?",["to feel good, get healthy"]),
("Z","what tests does the surgeon want before the bypass",["H. pylori testing, thyroid function tests"]),
("Z","am i allergic to any antibiotics",["He is allergic to Penicillin."]),
("Z","if i lose 60 percent of the extra weight what would i end up weighing",["he should weigh about 228"]),
("Z","in the consult where i was 312 pounds whats my ideal weight supposed to be",["Ideal body weight would be 170 pounds"]),
("Z","how much did they blow up my tummy with gas during the op",["maximum pressure of 15 mmHg"]),
("Z","did they find any leak in the new stomach pouch when they tested it?",["There was no air leak seen."]),
("Z","was i fully asleep with a breathing tube for the bypass",["General with endotracheal intubation."]),
("Z","how far down the small intestine did they join the new bit",["distal bowel down, approximately 100 cm"]),
("Z","what did the h pylori test come back as",None),
("Z","what were the results of my sleep study",None),
("Z","how much weight have i lost since the gastric bypass",None),
("Z","how long did the bypass operation take",None),
("Z","how much blood did i lose during the surgery",None),
]
lines=['{"sets": '+json.dumps(sets)+',','"questions": [']
items=[json.dumps({"set":s,"q":q,"expect":e}) for s,q,e in Q]
lines.append(',\n'.join(items)); lines.append(']}')
open(OUT+'/questions.json','w').write('\n'.join(lines)+'\n')
json.load(open(OUT+'/questions.json')); print(len(Q))
