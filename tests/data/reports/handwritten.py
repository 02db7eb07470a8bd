"""Hand-written eval reports in layouts the generator does not produce (ground truth written by hand).

    python tests/data/reports/handwritten.py   # (re)writes hand_*.{txt,pdf,png} and their .json
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
from training.make_reports import write_image, write_pdf, write_scanned_pdf

# (test, analyte, value, value_text, unit, ref_low, ref_high, ref_text, ref_source, flag)
REPORTS = {
"hand_01_us_inrange_outrange": ("pdf", "us_inrange_outrange", 47, "male", [
"""QUEST-STYLE DIAGNOSTICS                                   Report Status: FINAL
PATIENT: SAMPLE, JOHN        DOB: 04/12/1977   AGE: 47    GENDER: M
COLLECTED: 03/14/2025 07:55          REPORTED: 03/15/2025 11:02

Test Name                     In Range     Out Of Range    Reference Range        Lab
COMPREHENSIVE METABOLIC PANEL
   GLUCOSE                    88                           65-99 mg/dL            01
   UREA NITROGEN (BUN)        14                           7-25 mg/dL             01
   CREATININE                              1.42 H          0.60-1.35 mg/dL        01
   EGFR                                    52 L            > OR = 60 mL/min/1.73m2 01
   SODIUM                     139                          135-146 mmol/L         01
   POTASSIUM                  4.1                          3.5-5.3 mmol/L         01
   CHLORIDE                   102                          98-110 mmol/L          01
   CARBON DIOXIDE             24                           20-32 mmol/L           01
   CALCIUM                    9.6                          8.6-10.3 mg/dL         01
   ALT                                     78 H            9-46 U/L               01
   AST                        31                           10-35 U/L              01
LIPID PANEL
   CHOLESTEROL, TOTAL                      236 H           <200 mg/dL             01
   HDL CHOLESTEROL            52                           > OR = 40 mg/dL        01
   TRIGLYCERIDES                           180 H           <150 mg/dL             01
HEMOGLOBIN A1c                             6.1 H           <5.7 % of total Hgb    01
TSH                           2.31                         0.40-4.50 mIU/L        01
"""], [
("GLUCOSE","glucose",88,"88","mg/dL",65,99,"65-99","report","normal"),
("UREA NITROGEN (BUN)","bun",14,"14","mg/dL",7,25,"7-25","report","normal"),
("CREATININE","creatinine",1.42,"1.42","mg/dL",0.6,1.35,"0.60-1.35","report","high"),
("EGFR","egfr",52,"52","mL/min/1.73m2",60,None,"> OR = 60","report","low"),
("SODIUM","sodium",139,"139","mmol/L",135,146,"135-146","report","normal"),
("POTASSIUM","potassium",4.1,"4.1","mmol/L",3.5,5.3,"3.5-5.3","report","normal"),
("CHLORIDE","chloride",102,"102","mmol/L",98,110,"98-110","report","normal"),
("CARBON DIOXIDE","bicarbonate",24,"24","mmol/L",20,32,"20-32","report","normal"),
("CALCIUM","calcium",9.6,"9.6","mg/dL",8.6,10.3,"8.6-10.3","report","normal"),
("ALT","alt",78,"78","U/L",9,46,"9-46","report","high"),
("AST","ast",31,"31","U/L",10,35,"10-35","report","normal"),
("CHOLESTEROL, TOTAL","cholesterol_total",236,"236","mg/dL",None,200,"<200","report","high"),
("HDL CHOLESTEROL","hdl",52,"52","mg/dL",40,None,"> OR = 40","report","normal"),
("TRIGLYCERIDES","triglycerides",180,"180","mg/dL",None,150,"<150","report","high"),
("HEMOGLOBIN A1c","hba1c",6.1,"6.1","%",None,5.7,"<5.7","report","high"),
("TSH","tsh",2.31,"2.31","mIU/L",0.4,4.5,"0.40-4.50","report","normal")]),

"hand_02_two_columns": ("txt", "two_columns", 71, "female", [
"""St. Mary's Emergency Department - STAT chemistry            Page 1/1
Pt: 71 y/o F    Bed 12    Ordered by: ED physician

Sodium      128 mmol/L  (135-145)  L        Potassium   6.9 mmol/L  (3.5-5.1)  HH
Chloride    96 mmol/L   (98-107)   L        Bicarbonate 14 mmol/L   (22-29)    L
Glucose     612 mg/dL   (70-99)    HH       Creatinine  3.8 mg/dL   (0.6-1.1)  H
Lactate     5.2 mmol/L  (0.5-2.2)  HH       Troponin I  0.02 ng/mL  (<0.04)
Hemoglobin  6.4 g/dL    (12.0-15.5) LL      Platelets   212 K/uL    (150-400)
*** Critical values called to Dr. Smith at 03:12 by RN ***
"""], [
("Sodium","sodium",128,"128","mmol/L",135,145,"135-145","report","low"),
("Potassium","potassium",6.9,"6.9","mmol/L",3.5,5.1,"3.5-5.1","report","critical_high"),
("Chloride","chloride",96,"96","mmol/L",98,107,"98-107","report","low"),
("Bicarbonate","bicarbonate",14,"14","mmol/L",22,29,"22-29","report","low"),
("Glucose","glucose",612,"612","mg/dL",70,99,"70-99","report","critical_high"),
("Creatinine","creatinine",3.8,"3.8","mg/dL",0.6,1.1,"0.6-1.1","report","high"),
("Lactate","lactate",5.2,"5.2","mmol/L",0.5,2.2,"0.5-2.2","report","critical_high"),
("Troponin I","troponin_i",0.02,"0.02","ng/mL",None,0.04,"<0.04","report","normal"),
("Hemoglobin","hemoglobin",6.4,"6.4","g/dL",12.0,15.5,"12.0-15.5","report","critical_low"),
("Platelets","platelets",212,"212","K/uL",150,400,"150-400","report","normal")]),

"hand_03_french_dual_units": ("pdf", "french_dual_units", 58, "male", [
"""LABORATOIRE CENTRAL DE BIOLOGIE                      Dossier n° 2025-0312-44
M. EXEMPLE Paul      Né le 02/05/1966      Sexe : M      Âge : 58 ans
Prélevé le 12/03/2025 à 08h10 - Edité le 12/03/2025

BIOCHIMIE SANGUINE                                   Valeurs usuelles      Antériorités
Glycémie à jeun ............ 1,26 g/l    7,00 mmol/l  (0,70 à 1,10)         1,18 (2024)
Urée ....................... 0,38 g/l    6,3 mmol/l   (0,15 à 0,45)
Créatinine ................. 11,2 mg/l   99 µmol/l    (7,0 à 12,0)
DFG (CKD-EPI) .............. 74 mL/min/1,73m²         (> 60)
Cholestérol total .......... 2,45 g/l    6,34 mmol/l  (< 2,00)
Triglycérides .............. 1,10 g/l    1,24 mmol/l  (< 1,50)
Gamma GT ................... 92 UI/l                  (8 à 61)
CRP ........................ < 5 mg/l                 (< 5)
HÉMATOLOGIE
Leucocytes ................. 6 800 /mm3               (4 000 à 10 000)
Hémoglobine ................ 14,1 g/dl                (13,0 à 17,0)
Plaquettes ................. 254 000 /mm3             (150 000 à 400 000)
TSH ultrasensible .......... 5,82 mUI/l               (0,27 à 4,20)
"""], [
("Glycémie à jeun","glucose",1.26,"1,26","g/l",0.7,1.1,"0,70 à 1,10","report","high"),
("Urée","urea",0.38,"0,38","g/l",0.15,0.45,"0,15 à 0,45","report","normal"),
("Créatinine","creatinine",11.2,"11,2","mg/l",7.0,12.0,"7,0 à 12,0","report","normal"),
("DFG (CKD-EPI)","egfr",74,"74","mL/min/1,73m²",60,None,"> 60","report","normal"),
("Cholestérol total","cholesterol_total",2.45,"2,45","g/l",None,2.0,"< 2,00","report","high"),
("Triglycérides","triglycerides",1.10,"1,10","g/l",None,1.5,"< 1,50","report","normal"),
("Gamma GT","ggt",92,"92","UI/l",8,61,"8 à 61","report","high"),
("CRP","crp",5,"< 5","mg/l",None,5,"< 5","report","normal"),
("Leucocytes","wbc",6800,"6 800","/mm3",4000,10000,"4 000 à 10 000","report","normal"),
("Hémoglobine","hemoglobin",14.1,"14,1","g/dl",13.0,17.0,"13,0 à 17,0","report","normal"),
("Plaquettes","platelets",254000,"254 000","/mm3",150000,400000,"150 000 à 400 000","report","normal"),
("TSH ultrasensible","tsh",5.82,"5,82","mUI/l",0.27,4.2,"0,27 à 4,20","report","high")]),

"hand_04_pipe_flag_first": ("png", "pipe_flag_first", 35, "female", [
"""CLINICAL LAB REPORT - Female, 35 years
| Analyte            | Flag | Result | Units  | Normal range |
| Ferritin           | L    | 6      | ng/mL  | 11 - 307     |
| Iron               | L    | 38     | ug/dL  | 60 - 170     |
| Transferrin sat.   | L    | 9      | %      | 20 - 50      |
| Hemoglobin         | L    | 10.1   | g/dL   | 12.0 - 15.5  |
| MCV                | L    | 74     | fL     | 80 - 100     |
| Vitamin B12        |      | 412    | pg/mL  | 200 - 900    |
| Folate             |      | 9.8    | ng/mL  | 2.7 - 17.0   |
| Vitamin D, 25-OH   | L    | 14     | ng/mL  | 30 - 100     |
"""], [
("Ferritin","ferritin",6,"6","ng/mL",11,307,"11 - 307","report","low"),
("Iron","iron",38,"38","ug/dL",60,170,"60 - 170","report","low"),
("Transferrin sat.",None,9,"9","%",20,50,"20 - 50","report","low"),
("Hemoglobin","hemoglobin",10.1,"10.1","g/dL",12.0,15.5,"12.0 - 15.5","report","low"),
("MCV","mcv",74,"74","fL",80,100,"80 - 100","report","low"),
("Vitamin B12","vitamin_b12",412,"412","pg/mL",200,900,"200 - 900","report","normal"),
("Folate","folate",9.8,"9.8","ng/mL",2.7,17.0,"2.7 - 17.0","report","normal"),
("Vitamin D, 25-OH","vitamin_d",14,"14","ng/mL",30,100,"30 - 100","report","low")]),

"hand_05_urinalysis_counts": ("txt", "urinalysis_counts", 29, "female", [
"""COMMUNITY CLINIC LAB          Patient age: 29   Sex: Female
HEMATOLOGY
WBC ............ 1,800 /uL        (4,500-11,000)
Neutrophils, absolute ... 0.4 x10^9/L   (1.5-7.5)
Platelets ...... 85,000 /uL       (150,000-400,000)
URINALYSIS (dipstick)
Color .......... Yellow
Specific Gravity ... 1.025        (1.005-1.030)
pH ............. 6.5              (4.5-8.0)
Protein ........ 2+               (Negative)
Glucose ........ Negative         (Negative)
Ketones ........ Negative         (Negative)
Blood .......... Trace            (Negative)
Nitrite ........ Positive         (Negative)
Leukocyte esterase .. 3+          (Negative)
Comment: please repeat urine culture.
"""], [
("WBC","wbc",1800,"1,800","/uL",4500,11000,"4,500-11,000","report","critical_low"),
("Neutrophils, absolute","neutrophils_abs",0.4,"0.4","x10^9/L",1.5,7.5,"1.5-7.5","report","critical_low"),
("Platelets","platelets",85000,"85,000","/uL",150000,400000,"150,000-400,000","report","low"),
("Specific Gravity","urine_specific_gravity",1.025,"1.025",None,1.005,1.03,"1.005-1.030","report","normal"),
("pH","urine_ph",6.5,"6.5",None,4.5,8.0,"4.5-8.0","report","normal"),
("Protein","urine_protein",None,"2+",None,None,None,"Negative","report","abnormal"),
("Glucose","urine_glucose",None,"Negative",None,None,None,"Negative","report","normal"),
("Ketones","urine_ketones",None,"Negative",None,None,None,"Negative","report","normal"),
("Blood","urine_blood",None,"Trace",None,None,None,"Negative","report","abnormal"),
("Nitrite","urine_nitrite",None,"Positive",None,None,None,"Negative","report","abnormal"),
("Leukocyte esterase","urine_leukocytes",None,"3+",None,None,None,"Negative","report","abnormal")]),

"hand_06_coag_gas_scan": ("scan", "coag_gas_scan", 64, "male", [
"""INTENSIVE CARE UNIT - ARTERIAL BLOOD GAS AND COAGULATION
Patient: 64-year-old man
Test                  Value     Units     Reference
pH                    7.12                7.35 - 7.45
pCO2                  68        mmHg      35 - 45
pO2                   58        mmHg      75 - 100
Base excess           -9.5      mmol/L    -2 - 2
Oxygen saturation     86        %         95 - 100
INR                   6.2                 0.8 - 1.2
PTT                   41        sec       25 - 35
Fibrinogen            1.8       g/L       2.0 - 4.0
D-dimer               0.35      ug/mL FEU < 0.50
"""], [
("pH","ph",7.12,"7.12",None,7.35,7.45,"7.35 - 7.45","report","critical_low"),
("pCO2","pco2",68,"68","mmHg",35,45,"35 - 45","report","high"),
("pO2","po2",58,"58","mmHg",75,100,"75 - 100","report","low"),
("Base excess","base_excess",-9.5,"-9.5","mmol/L",-2,2,"-2 - 2","report","low"),
("Oxygen saturation","o2_saturation",86,"86","%",95,100,"95 - 100","report","low"),
("INR","inr",6.2,"6.2",None,0.8,1.2,"0.8 - 1.2","report","critical_high"),
("PTT","ptt",41,"41","sec",25,35,"25 - 35","report","high"),
("Fibrinogen","fibrinogen",1.8,"1.8","g/L",2.0,4.0,"2.0 - 4.0","report","low"),
("D-dimer","d_dimer",0.35,"0.35","ug/mL FEU",None,0.5,"< 0.50","report","normal")]),

"hand_07_narrative_mimic": ("txt", "narrative_mimic", None, "female", [
"""Discharge labs (original MIMIC-style summary)
Patient age: over 89, sex: female
Lab results:
- Hemoglobin: 7.9 g/dL (abnormal)
- Platelet Count: 98 K/uL (abnormal)
- Sodium: 133 mEq/L (abnormal)
- Potassium: 5.4 mEq/L (abnormal)
- Creatinine: 2.1 mg/dL (abnormal)
- INR(PT): 1.3 (abnormal)
- Vancomycin: 18.4 ug/mL
- Albumin: 2.9 g/dL (abnormal)
- Magnesium: 1.9 mg/dL
- Neutrophils: 88.1 % (abnormal)
"""], [
("Hemoglobin","hemoglobin",7.9,"7.9","g/dL",12.0,15.5,"12 - 15.5","reference_table","low"),
("Platelet Count","platelets",98,"98","K/uL",150,400,"150 - 400","reference_table","low"),
("Sodium","sodium",133,"133","mEq/L",135,145,"135 - 145","reference_table","low"),
("Potassium","potassium",5.4,"5.4","mEq/L",3.5,5.1,"3.5 - 5.1","reference_table","high"),
("Creatinine","creatinine",2.1,"2.1","mg/dL",0.6,1.1,"0.6 - 1.1","reference_table","high"),
("INR(PT)","inr",1.3,"1.3",None,0.8,1.1,"0.8 - 1.1","reference_table","high"),
("Vancomycin",None,18.4,"18.4","ug/mL",None,None,None,None,"unknown"),
("Albumin","albumin",2.9,"2.9","g/dL",3.5,5.0,"3.5 - 5","reference_table","low"),
("Magnesium","magnesium",1.9,"1.9","mg/dL",1.7,2.2,"1.7 - 2.2","reference_table","normal"),
("Neutrophils","neutrophils_pct",88.1,"88.1","%",40,70,"40 - 70","reference_table","high")]),
}
FIELDS = ("test", "analyte", "value", "value_text", "unit", "ref_low", "ref_high", "ref_text", "ref_source", "flag")


def main() -> None:
    for name, (fmt, layout, age, sex, pages, rows) in REPORTS.items():
        suffix = {"txt": ".txt", "pdf": ".pdf", "png": ".png", "scan": ".pdf"}[fmt]
        path = HERE / (name + suffix)
        if fmt == "txt":
            path.write_text("\f".join(pages), encoding="utf-8")
        elif fmt == "pdf":
            write_pdf(pages, path)
        elif fmt == "scan":
            write_scanned_pdf(pages, path)
        else:
            write_image(pages[0], path)
        results = [dict(zip(FIELDS, [float(v) if isinstance(v, int) and f in ("value", "ref_low", "ref_high") else v
                                     for f, v in zip(FIELDS, row)]), page=1) for row in rows]
        truth = {"file": path.name, "layout": layout, "language": "fr" if "french" in layout else "en", "age": age,
                 "sex": sex, "pages": len(pages), "results": results, "handwritten": True}
        (HERE / (name + ".json")).write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
        print(path)


if __name__ == "__main__":
    main()
