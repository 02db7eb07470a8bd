"""The one red-flag detector for emergencies (English and French).

`detect_red_flags(text)` finds phrases that describe a possible emergency (chest pain, stroke signs,
severe bleeding, suicidal thoughts or self-harm, anaphylaxis, breathing difficulty, loss of
consciousness, seizures, poisoning/overdose, thunderclap headache). `emergency_guidance(flags)` is
the fixed text to show first, whatever any model says. Matching is deliberately broad: a false
alarm costs a paragraph, a miss can cost a life. Accents and case are ignored.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class RedFlag:
    category: str   # e.g. "chest_pain"
    label: str      # human-readable, in the language of the match
    lang: str       # "en" | "fr"
    phrase: str     # the text that matched


# category -> (English label, French label, English advice, French advice)
_CATEGORIES: dict[str, tuple[str, str, str, str]] = {
    "chest_pain": ("chest pain", "douleur thoracique",
                   "Stop any effort and sit down. Chest pain can be a heart attack: do not drive yourself.",
                   "Arrêtez tout effort et asseyez-vous. Une douleur thoracique peut être un infarctus : ne conduisez pas."),
    "stroke": ("possible stroke", "AVC possible",
               "Think FAST: Face drooping, Arm weakness, Speech difficulty, Time to call. Note the time the symptoms started.",
               "Pensez VITE : Visage paralysé, Inertie d'un membre, Trouble de la parole, En urgence appelez. Notez l'heure du début."),
    "bleeding": ("severe bleeding", "saignement grave",
                 "Press firmly on the wound with a clean cloth and keep pressing. Vomiting or coughing blood needs care now.",
                 "Appuyez fort sur la plaie avec un linge propre sans relâcher. Vomir ou cracher du sang nécessite des soins immédiats."),
    "self_harm": ("suicidal thoughts or self-harm", "idées suicidaires ou automutilation",
                  "You are not alone and help is available now: in the US call or text 988, in France call 3114, "
                  "in the UK and Ireland call Samaritans on 116 123. If you are in immediate danger call 112 or 911. "
                  "If you can, stay with someone you trust.",
                  "Vous n'êtes pas seul·e, de l'aide existe maintenant : appelez le 3114 (prévention du suicide, 24h/24). "
                  "En danger immédiat appelez le 15 ou le 112. Si possible, restez avec une personne de confiance."),
    "anaphylaxis": ("severe allergic reaction", "réaction allergique grave",
                    "If you have an adrenaline auto-injector (EpiPen), use it now. Lie down with legs raised unless breathing is easier sitting.",
                    "Si vous avez un stylo d'adrénaline (Anapen, EpiPen), utilisez-le maintenant. Allongez-vous jambes surélevées, sauf si respirer est plus facile assis."),
    "breathing": ("difficulty breathing", "difficulté à respirer",
                  "Sit upright and stay calm. Blue lips or being unable to speak in full sentences is an emergency.",
                  "Restez assis bien droit et au calme. Des lèvres bleues ou ne pas pouvoir finir une phrase est une urgence."),
    "unconscious": ("loss of consciousness", "perte de connaissance",
                    "Check breathing. If breathing, place in the recovery position; if not, start CPR and ask for a defibrillator (AED).",
                    "Vérifiez la respiration. Si la personne respire, mettez-la en position latérale de sécurité ; sinon commencez le massage cardiaque et demandez un défibrillateur."),
    "seizure": ("seizure", "crise convulsive",
                "Protect the head, do not put anything in the mouth, time the seizure, then turn the person on their side.",
                "Protégez la tête, ne mettez rien dans la bouche, chronométrez la crise, puis mettez la personne sur le côté."),
    "poisoning": ("poisoning or overdose", "intoxication ou surdose",
                  "Do not make the person vomit. Keep the packaging to show the emergency team, and call a poison control centre.",
                  "Ne faites pas vomir. Gardez l'emballage pour les secours et appelez un centre antipoison."),
    "headache": ("sudden severe headache", "mal de tête brutal et intense",
                 "A sudden, very severe headache can be a bleed in the brain and needs urgent care.",
                 "Un mal de tête brutal et très intense peut être une hémorragie cérébrale et nécessite des soins urgents."),
}

# (category, lang, pattern) on accent-free lower-case text.
_PATTERNS: list[tuple[str, str, str]] = [
    ("chest_pain", "en", r"chest (pain|pressure|tightness|hurts?|is (hurting|tight))|pain in (my|his|her|the) chest"
                         r"|crushing (pain|feeling)|heart attack|tight(ness)? (in|across) (my|the) chest"),
    ("chest_pain", "fr", r"douleur(s)? (thoracique|(a|dans) la poitrine)|mal (a|dans) la poitrine|oppression thoracique"
                         r"|(crise cardiaque|infarctus)|serrement (dans|a) la poitrine|poitrine (qui )?serre"),
    ("stroke", "en", r"\bstroke\b|face (is )?droop|droop(ing|y) (face|mouth|eyelid)|slurred speech|slurring"
                     r"|(can'?t|cannot|unable to) (speak|talk|lift (my|his|her) arm)|sudden (numbness|weakness|confusion)"
                     r"|(numb|weak|paralys\w*) on one side|one side of (my|his|her|the) (body|face)"),
    ("stroke", "fr", r"\bavc\b|accident vasculaire|visage (paralyse|affaisse|de travers)|bouche de travers"
                     r"|(trouble|difficulte)s? (de|a) (la )?parole|n'arrive (plus )?pas a parler"
                     r"|paralysie (d'un cote|soudaine|du visage)|engourdissement soudain|bras (qui )?ne (repond|bouge) plus"),
    ("bleeding", "en", r"(heavy|heavily|severe|uncontroll?ed|a lot of|massive) bleed|bleed(ing)? (heavily|a lot|badly|profusely)"
                       r"|(won'?t|doesn'?t|does not|will not|can'?t|cannot) stop (the )?bleed|bleeding (that )?(won'?t|doesn'?t|will not) stop"
                       r"|(vomit\w*|throw\w* up|cough\w* up|spit\w* up) (blood|bright red)|blood in (my )?vomit|hemorrhag|haemorrhag"),
    ("bleeding", "fr", r"hemorragie|saign\w* (beaucoup|abondamment|enormement|sans arret|(qui )?ne s'arrete pas)"
                       r"|saignement(s)? (abondant|important|grave|massif|qui ne s'arrete)|(vomi\w*|crach\w*) du sang"),
    ("self_harm", "en", r"suicid|kill (myself|me)|end (my|it all|my own) li(fe|ves)|end it all|want(ed)? to die|wish i (was|were) dead"
                        r"|better off dead|no reason to live|self[- ]harm|hurt(ing)? myself|cut(ting)? myself|take my (own )?life"),
    ("self_harm", "fr", r"suicid|me tuer|en finir|mettre fin a (mes jours|ma vie)|envie de mourir|veux mourir"
                        r"|me faire du mal|automutil|me scarifier|plus envie de vivre"),
    ("anaphylaxis", "en", r"anaphyla|throat (is )?(closing|swelling|swollen|tight)|(swollen|swelling) (tongue|throat|lips?|face)"
                          r"|(tongue|lips?|throat|face) (is |are )?(swelling|swollen)|epi-?pen"),
    ("anaphylaxis", "fr", r"choc anaphylactique|anaphylax|(gorge|langue|levres?|visage) (qui )?(gonfle|enfle)|gorge (qui se ferme|serree)"
                          r"|oedeme de quincke|\bquincke\b"),
    ("breathing", "en", r"(can'?t|cannot|can not|unable to|struggling to|hard to|trouble|difficulty) breath"
                        r"|short(ness)? of breath|gasping|chok(ing|es)|(blue|turning blue) lips|lips (are |turning )?blue|not breathing"),
    ("breathing", "fr", r"(n'arrive (pas|plus) a|du mal a|peine a|ne peux (pas|plus)) respirer|difficultes? (a|pour) respirer"
                        r"|j'etouffe|etouffe(ment)?\b|levres bleues|ne respire (pas|plus)|manque d'air"),
    ("unconscious", "en", r"unconscious|passed out|fainted|unresponsive|(won'?t|will not|doesn'?t|can'?t) wake (up)?|collapsed"
                          r"|not breathing|lost consciousness"),
    ("unconscious", "fr", r"inconscient|perdu connaissance|perte de connaissance|evanoui|ne (repond|reagit) plus"
                          r"|ne se reveille pas|s'est effondre|ne respire (pas|plus)"),
    ("seizure", "en", r"seizure|convuls|epileptic fit|having a fit"),
    ("seizure", "fr", r"convuls|crise d'epilepsie|crise epileptique"),
    ("poisoning", "en", r"overdos|poison|swallowed (bleach|pills|a battery|detergent)|took too many (pills|tablets)"),
    ("poisoning", "fr", r"surdose|overdose|intoxication|empoisonn|avale (de la javel|des (medicaments|comprimes)|une pile)"
                        r"|trop de (medicaments|comprimes)"),
    ("headache", "en", r"worst headache|thunderclap|sudden (severe|terrible|excruciating) headache"),
    ("headache", "fr", r"pire mal de tete|mal de tete (brutal|violent|soudain)|cephalee (brutale|en coup de tonnerre)"),
]
_COMPILED = [(category, lang, re.compile(pattern)) for category, lang, pattern in _PATTERNS]

EMERGENCY_HEADER = {
    "en": "🚨 **This may be an emergency ({labels}).** Call your local emergency number now "
          "(112 in Europe, 911 in the US, 999 in the UK, 15 in France). Do not wait for an online answer.",
    "fr": "🚨 **Cela peut être une urgence ({labels}).** Appelez tout de suite les secours "
          "(15 SAMU, 112 en Europe, 114 par SMS). N'attendez pas une réponse en ligne.",
}


def _fold(text: str) -> str:
    """Lower-case without accents, with typographic apostrophes made plain."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("ʼ", "'"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def detect_red_flags(text: str) -> list[RedFlag]:
    """Every emergency category named in `text` (one RedFlag per category, in table order)."""
    folded = _fold(text or "")
    found: dict[str, RedFlag] = {}
    for category, lang, pattern in _COMPILED:
        if category in found:
            continue
        match = pattern.search(folded)
        if match:
            labels = _CATEGORIES[category]
            found[category] = RedFlag(category, labels[0] if lang == "en" else labels[1], lang, match.group(0))
    return list(found.values())


def guess_language(text: str, default: str = "en") -> str:
    """'fr' or 'en' by counting common words (enough to choose the guidance language); `default` on a tie."""
    words = re.findall(r"[a-z']+", _fold(text or ""))
    french = {"je", "j'ai", "suis", "mon", "ma", "mes", "le", "la", "les", "une", "des", "est", "et", "pas",
              "avec", "dans", "pour", "que", "qui", "il", "elle", "nous", "vous", "ne", "du", "au", "plus", "mal",
              "c'est", "tres", "depuis", "mais", "ou", "sa", "son"}
    english = {"i", "i'm", "my", "the", "an", "is", "and", "not", "with", "in", "for", "that", "he",
               "she", "we", "you", "have", "has", "of", "to", "it"}
    score = sum(w in french for w in words) - sum(w in english for w in words)
    return "fr" if score > 0 else "en" if score < 0 else default


def emergency_guidance(flags: list[RedFlag], lang: str | None = None) -> str:
    """The fixed emergency text for these flags, in `lang` (default: the language of the first match)."""
    if not flags:
        return ""
    lang = lang or flags[0].lang
    index = 0 if lang == "en" else 1
    labels = ", ".join(_CATEGORIES[f.category][index] for f in flags)
    lines = [EMERGENCY_HEADER[lang].format(labels=labels)]
    lines += [f"- {_CATEGORIES[f.category][2 + index]}" for f in flags]
    return "\n".join(lines)


def red_flag_guidance(text: str) -> str:
    """Emergency guidance for `text`, or "" when nothing in it is a red flag."""
    flags = detect_red_flags(text)
    return emergency_guidance(flags, guess_language(text, default=flags[0].lang)) if flags else ""
