"""Everyday words and French words that lead a question to the English topic names of the knowledge base.

`LAY_TERMS`: plain phrases -> the words the sources use ("sugar test" -> "A1C"). The sources' own
"also called" names are indexed with every passage (knowledge.corpus.Passage.search_text).
`FR_TERMS`: a small French -> English term map. French questions are translated word by word for
retrieval only; the answer quotes the English source and says so in French.
"""
from __future__ import annotations

import re
import unicodedata

LAY_TERMS = {
    "sugar test": "A1C blood sugar test", "blood sugar test": "A1C blood glucose test", "sugar level": "blood glucose",
    "high sugar": "high blood sugar hyperglycemia diabetes", "low sugar": "low blood sugar hypoglycemia",
    "sugar": "blood sugar glucose diabetes", "water pill": "diuretics", "water pills": "diuretics",
    "heart attack": "heart attack", "mini stroke": "transient ischemic attack", "high blood pressure": "hypertension",
    "blood pressure pill": "blood pressure medicines", "low blood pressure": "hypotension",
    "pink eye": "conjunctivitis pink eye", "stomach flu": "gastroenteritis", "heartburn": "heartburn GERD",
    "acid reflux": "GERD heartburn", "bad breath": "halitosis bad breath", "nosebleed": "nosebleeds",
    "cold sore": "cold sores herpes", "chickenpox": "chickenpox varicella", "mole": "moles",
    "beauty mark": "moles", "birthmark": "birthmarks", "skin cancer": "skin cancer melanoma",
    "brain freeze": "headache", "migraine": "migraine headache", "period": "menstruation",
    "periods": "menstruation", "pee": "urine urination", "peeing": "urination", "poop": "stool bowel movement",
    "belly": "abdominal", "tummy": "abdominal stomach", "shot": "vaccine", "shots": "vaccines immunization",
    "jab": "vaccine", "flu": "influenza flu", "cold": "common cold", "runny nose": "common cold",
    "sore throat": "sore throat", "lump": "lump", "bone thinning": "osteoporosis", "brittle bones": "osteoporosis",
    "memory loss": "memory dementia", "water on the knee": "knee effusion", "kidney stone": "kidney stones",
    "blood thinner": "blood thinners anticoagulants", "blood thinners": "blood thinners anticoagulants",
    "painkiller": "pain relievers", "painkillers": "pain relievers", "cholesterol test": "cholesterol lipid test",
    "thyroid test": "thyroid tests TSH", "pap test": "Pap test cervical cancer screening", "smoking": "smoking tobacco",
    "quit smoking": "quitting smoking", "sunburn": "sunburn sun exposure", "sunscreen": "sun exposure skin cancer",
    "overweight": "obesity weight", "tiredness": "fatigue", "tired": "fatigue",
    "short of breath": "shortness of breath", "can't sleep": "insomnia sleep", "cannot sleep": "insomnia sleep",
    "sleeplessness": "insomnia", "feeling down": "depression", "sad": "depression", "anxious": "anxiety",
    "worry": "anxiety", "pins and needles": "numbness tingling", "itchy": "itching", "rash": "rashes",
    "kids": "children", "kid": "child", "grandma": "older adults", "grandpa": "older adults",
}

FR_TERMS = {
    "diabete": "diabetes", "sucre": "sugar", "glycemie": "blood glucose", "hemoglobine glyquee": "A1C",
    "tension": "blood pressure", "hypertension": "hypertension", "tension arterielle": "blood pressure",
    "crise cardiaque": "heart attack", "infarctus": "heart attack", "coeur": "heart", "cœur": "heart",
    "accident vasculaire cerebral": "stroke", "avc": "stroke", "grippe": "flu influenza", "rhume": "common cold",
    "toux": "cough", "fievre": "fever", "mal de tete": "headache", "maux de tete": "headache", "migraine": "migraine",
    "mal de gorge": "sore throat", "angine": "sore throat", "asthme": "asthma", "allergie": "allergy",
    "allergies": "allergies", "cancer": "cancer", "cancer de la peau": "skin cancer", "peau": "skin",
    "grain de beaute": "mole", "grains de beaute": "moles", "melanome": "melanoma", "zona": "shingles",
    "varicelle": "chickenpox", "rougeole": "measles", "vaccin": "vaccine", "vaccins": "vaccines",
    "foie": "liver", "rein": "kidney", "reins": "kidneys", "calcul renal": "kidney stones",
    "calculs renaux": "kidney stones", "poumon": "lung", "poumons": "lungs", "estomac": "stomach",
    "ventre": "abdominal", "brulures d'estomac": "heartburn", "reflux": "GERD reflux", "constipation": "constipation",
    "diarrhee": "diarrhea", "nausee": "nausea", "vomissements": "vomiting", "sommeil": "sleep",
    "insomnie": "insomnia", "fatigue": "fatigue", "depression": "depression", "anxiete": "anxiety",
    "cholesterol": "cholesterol", "thyroide": "thyroid", "anemie": "anemia", "fer": "iron", "sang": "blood",
    "prise de sang": "blood test", "os": "bone", "osteoporose": "osteoporosis", "arthrose": "osteoarthritis",
    "polyarthrite": "rheumatoid arthritis", "douleur": "pain", "douleurs": "pain", "dos": "back",
    "mal de dos": "back pain", "genou": "knee", "grossesse": "pregnancy", "enceinte": "pregnancy pregnant",
    "bebe": "baby infant", "enfant": "children", "enfants": "children", "chez les enfants": "in children",
    "personnes agees": "older adults seniors", "symptomes": "symptoms", "symptome": "symptoms",
    "signes": "signs", "traitement": "treatment", "traitements": "treatment", "soigner": "treat",
    "traiter": "treat", "guerir": "cure", "cause": "causes", "causes": "causes", "prevenir": "prevent",
    "eviter": "prevent", "risque": "risk", "risques": "risk", "contagieux": "contagious spread",
    "medicament": "medicine", "medicaments": "medicines", "diuretique": "diuretics", "diuretiques": "diuretics",
    "antibiotique": "antibiotics", "antibiotiques": "antibiotics", "vitamine": "vitamin", "regime": "diet",
    "alimentation": "nutrition diet", "poids": "weight", "obesite": "obesity", "surpoids": "overweight obesity",
    "tabac": "smoking tobacco", "arreter de fumer": "quit smoking", "fumer": "smoking", "alcool": "alcohol",
    "demence": "dementia", "alzheimer": "Alzheimer's disease", "parkinson": "Parkinson's disease",
    "epilepsie": "epilepsy", "hepatite": "hepatitis", "sida": "HIV AIDS", "vih": "HIV", "paludisme": "malaria",
    "tuberculose": "tuberculosis", "coqueluche": "whooping cough", "oreillons": "mumps", "urine": "urine",
    "vessie": "bladder", "prostate": "prostate", "sein": "breast", "seins": "breast", "yeux": "eyes",
    "oeil": "eye", "glaucome": "glaucoma", "cataracte": "cataract", "oreille": "ear", "surdite": "hearing loss",
    "dents": "teeth", "coup de soleil": "sunburn", "eczema": "eczema", "psoriasis": "psoriasis", "acne": "acne",
    "demangeaisons": "itching", "goutte": "gout", "anevrisme": "aneurysm", "essoufflement": "shortness of breath",
    "qu'est-ce que": "what is", "c'est quoi": "what is", "quels sont": "what are", "comment": "how",
    "pourquoi": "why",
}

def fold(text: str) -> str:
    """Lower case without accents: 'Diabète' -> 'diabete'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Words that mark a question as French (accents aside): common function words that English does not use.
_FRENCH_MARKERS = frozenset(fold(w) for w in """
le la les un une des du de au aux et est sont que qui quoi quel quelle quels quelles comment pourquoi
je tu il elle nous vous ils elles mon ma mes ton ta tes son sa ses ce cette ces avec pour dans sur chez
pas ne plus j'ai c'est qu'est-ce ou être avoir faut peut fait très est-il est-elle est-ce sont-ils sont-elles
peut-on faut-il doit-on quand combien aussi souvent
""".split())  # noqa: SIM905 - a word list reads best as text
# Other common French words: not topics, so they are left out of the English query.
FRENCH_COMMON = _FRENCH_MARKERS | frozenset(fold(w) for w in """
quand combien faut-il faut-t-il peut-on doit-on est-ce est-il est-elle a-t-il y a-t-on on en me te se lui leur
leurs notre votre nos vos moi toi mais donc car si alors aussi tres trop peu beaucoup souvent toujours jamais
encore deja bien mal mieux bon bonne bons bonnes grand grande petit petite autre autres meme tout tous toute
toutes chaque quelque quelques apres avant pendant depuis sans sous entre contre vers par comme fois jour
jours semaine semaines mois an ans annee annees heure heures prendre prends prend pris faire fais font avoir
ai as avez avons ont etre suis es sommes etes sera serait dois doit devons devez doivent pouvoir peux pouvez
peuvent vouloir veux veut voulez savoir sais sait savez dire dit consulter medecin docteur pharmacien aller
vais va allez venir quoi normal normale normaux grave graves dangereux dangereuse cela ca ceci celui celle
ceux celles il-y-a-t-il y-a-t-il qu'est-ce-que quoi-faire
""".split())  # noqa: SIM905 - a word list reads best as text
_WORDS = re.compile(r"[\w'-]+", re.UNICODE)
_ELIDED = re.compile(r"^(?:qu|[cdjlmnst])'\w")  # l'asthme, d'estomac, qu'est-ce: elision is French


def is_french(text: str) -> bool:
    """True when at least two words (or a third of them) are French function words."""
    words = [fold(w).replace("\u2019", "'") for w in _WORDS.findall(text.replace("\u2019", "'"))]
    hits = sum(1 for w in words if w in _FRENCH_MARKERS or _ELIDED.match(w))
    return hits >= 2 or (words and hits / len(words) >= 0.34)


def without_elisions(text: str) -> str:
    """French elided articles and pronouns off: "l'asthme" -> "asthme", "qu'est-ce" -> "est-ce"."""
    return re.sub(r"\b(?:qu|[cdjlmnst])['\u2019]", "", text)


def _replace_phrases(text: str, table: dict[str, str], french: bool = False) -> tuple[str, list[str]]:
    """Phrases of `table` found in folded `text` (longest first) and the terms they map to."""
    found = []
    for phrase in sorted(table, key=len, reverse=True):
        key = without_elisions(fold(phrase)) if french else fold(phrase)
        pattern = rf"(?<![\w']){re.escape(key)}(?![\w'])"
        if re.search(pattern, text):
            found.append(table[phrase])
            text = re.sub(pattern, " ", text)
    return text, found


def translate_french(question: str) -> str:
    """An English retrieval query from a French question: mapped terms plus the words left untranslated."""
    rest, terms = _replace_phrases(without_elisions(fold(question)), FR_TERMS, french=True)
    leftovers = [w for w in _WORDS.findall(rest) if w not in FRENCH_COMMON and len(w) > 2]
    return " ".join(terms + leftovers)


def lay_expansion(question: str) -> list[str]:
    """The source words that the question's everyday phrases stand for."""
    _, terms = _replace_phrases(fold(question), LAY_TERMS)
    return terms
