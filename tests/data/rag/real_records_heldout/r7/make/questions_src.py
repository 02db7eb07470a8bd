import json, os
here = os.path.dirname(os.path.abspath(__file__))
S = 'S7'; T = 'T7'
sets = {
    S: ['docs/S7a_discharge_summary_cholecystitis_bile_duct_stone.txt',
        'docs/S7b_operative_note_lap_cholecystectomy_cholangiogram.txt',
        'docs/S7c_operative_note_lap_cholecystectomy_gallstone_pancreatitis.txt'],
    T: ['docs/T7a_clinic_health_summary_pneumonia_ccd.txt',
        'docs/T7b_visit_summary_pneumonia_ccd.txt'],
}
Q = []
def a(s, q, *e): Q.append({'set': s, 'q': q, 'expect': list(e)})
def u(s, q): Q.append({'set': s, 'q': q, 'expect': None})

# ---- S7: gallbladder removal (MTSamples) ----
a(S, "How much iron am I supposed to take, and how many times a day?", "iron 325 mg p.o. t.i.d.")
a(S, "what pain med did they send me home with after the gallbladder stay", "Lortab elixir 15 cc p.o. q.4 h. p.r.n.", "Lortab elixir")
a(S, "When do I go back to get the staples out?", "3 days for staple removal")
a(S, "Why couldn't they do the keyhole surgery the whole way? Why did it turn into an open operation?", "could not receive an ERCP", "conversion to an open operation")
a(S, "What did the HIDA scan show?", "unable to empty into the small bowel", "common bile duct blockage")
a(S, "whats my bilirubin after surgery", "bilirubin decreased to 2.1", "bilirubin was down to normal")
a(S, "When was I allowed to eat normal food again after the operation?", "regular diet on postoperative day #3", "12/09/07")
a(S, "The surgeon said something was stuck in my gallbladder - what was it and where was it stuck?", "a stone stuck in the neck")
a(S, "Why was it so hard for them to close the cut by my belly button?", "significant amount of subcutaneous fat")
a(S, "Who did the procedure to pull the stones out of my bile duct before the pancreatitis surgery?", "seen by the gastroenterologist", "gastroenterologist")
a(S, "What kind of anesthesia did I get for the operation for my gallstone pancreatitis?", "General endotracheal")
a(S, "What date did I come into the hospital with the really bad pain under my right ribs?", "08/20/2003")
a(S, "how wide was my bile duct", "dilated to 1 cm")
u(S, "What did the lab find when they looked at my gallbladder under the microscope after it was removed?")
u(S, "What was my lipase level when I had the pancreatitis?")
u(S, "How much heparin did they give me before the operation?")
u(S, "What was my white blood cell count on the day I was admitted, before the surgery?")
u(S, "How big were the gallstones they took out?")

# ---- T7: Isabella Jones, pneumonia visit (C-CDA) ----
a(T, "How long am I supposed to take the clarithromycin, and how often?", "two times daily for 7 days")
a(T, "whats the dose on my metoprolol", "METOPROLOL TARTRATE, 25MG")
a(T, "What happens to me if I take codeine?", "Shortness of Breath")
a(T, "What did my chest x-ray show?", "consistent with pneumonia")
a(T, "Was my hemoglobin normal when they checked it in July 2013?", "14.2 g/dL", "14.4 - 16.6 = Abnormal")
a(T, "What was my blood pressure back in November 2011?", "132/86 mmHg")
a(T, "Where on my body did they give me the pneumonia shot?", "Site: Deltoid (Left)")
a(T, "What symptoms made me go see the doctor in August 2012?", "occurring for 2 days", "cough (green sputum)")
a(T, "How often am I allowed to use my Proventil HFA inhaler when I'm wheezing?", "every six hours, as needed for wheezing")
a(T, "Who is going to do the colonoscopy they planned for me, and when is it?", "22-Sep-2012", "By: Seven, Henry")
a(T, "Were my platelets low at the Get Well Clinic?", "123 (L)", "PLT (135-145 meq/l)")
a(T, "Which hospital did they want me admitted to for the pneumonia?", "Community Health and Hospitals")
a(T, "since when do i need a cane", "Effective Dates: 2008")
u(T, "What did my sputum culture grow?")
u(T, "What was my oxygen level when I had the pneumonia?")
u(T, "How high was my fever at the visit?")
u(T, "What did they find on my colonoscopy?")
u(T, "What was my pulse at the August 2012 visit?")

with open(os.path.join(here, '..', 'questions.json'), 'w', encoding='utf-8') as f:
    json.dump({'sets': sets, 'questions': Q}, f, indent=1, ensure_ascii=False)
print(len(Q))
