"""The one red-flag detector for emergencies (English and French).

`detect_red_flags(text)` combines two signals: keyword patterns (safety/emergency_patterns.py) and the
meaning of the message (MiniLM nearest neighbours in a bank of emergency and non-emergency phrases,
safety/emergency_semantic.py). A question about a condition or a past history ("what is a stroke?",
"my father had a stroke years ago") silences both unless it also describes something acute now.
`emergency_guidance(flags)` is the fixed text to show, whatever any model says: the reply to a red flag
is this guidance alone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from safety.emergency_patterns import (
    fold,
    is_question_not_emergency,
    is_reassured,
    is_retrospective_question,
    pattern_matches,
    statements,
)
from safety.emergency_semantic import SemanticMatch, semantic_scorer
from safety.french_gloss import english_gloss

# Semantic thresholds, chosen on the tuning sets only (`scripts/eval_redflags.py --set tuning --grid`: tune.tsv and
# tune2-4.tsv, 1,070 messages, 716 emergencies, 354 non-emergency; patterns, question detector, French gloss and
# the pattern support below included; bank: train.tsv with the phrases of writers A-F). tune2-4 were written by
# independent writers and first run as held-out sets; their errors were then read, so they are tuning data now.
# Rule, fixed before the first grid: highest recall with false alarms <= 0.04 (half the 0.08 target), then fewest
# false alarms, then the lowest thresholds. Grid rows near the choice (min score, margin, guarded margin):
#   0.30 -0.02 0.06: recall 0.994, false alarms 0.031
#   0.35 -0.02 0.04: recall 0.994, false alarms 0.045 (over 0.04)
#   0.35 -0.02 0.06: recall 0.994, false alarms 0.028  <- chosen (0.40 ties; the lower one wins)
#   0.35 -0.02 0.08: recall 0.993, false alarms 0.025
#   0.45 -0.02 0.08: recall 0.987, false alarms 0.025  (the previous choice, before writers E and F)
# data/redflags/heldout.tsv and heldout5-7.tsv (independent writers) give the figures to report.
SEMANTIC_MIN_SCORE = 0.35   # mean cosine of the TOP_K nearest phrases of the best emergency category
SEMANTIC_MIN_MARGIN = -0.02   # ... minus the same score for the non-emergency phrases
SEMANTIC_GUARDED_MARGIN = 0.06  # added to the margin for a question or a reassured message
# In a question or a reassured message, a keyword pattern alone is not enough: the meaning must lean to an
# emergency too (semantic score >= SEMANTIC_MIN_SCORE, margin >= SEMANTIC_MIN_MARGIN + this). Chosen on the tuning
# sets with the previous thresholds (0.45, -0.02, 0.08) and the bank with writers E and F (recall / false alarms):
# no support 0.987 / 0.040; +0.00 0.987 / 0.031; +0.04 0.987 / 0.028 <- chosen (same recall, fewest false alarms;
# 0.025 once "maintenant ça va" counted as reassured); +0.08 0.983 / 0.028. The grid above then ran with it.
# Suicidal words always count.
PATTERN_SUPPORT_MARGIN = 0.04
ALWAYS_RAISED = {"self_harm"}


@dataclass(frozen=True)
class RedFlag:
    category: str            # e.g. "chest_pain"
    label: str               # human-readable, in the language of the match
    lang: str                # "en" | "fr"
    phrase: str              # the text that matched (pattern) or the sentence that scored (semantic)
    source: str = "pattern"  # "pattern" | "semantic"
    score: float = 1.0       # 1.0 for a pattern, the cosine score for a semantic match


@dataclass(frozen=True)
class CategoryText:
    label_en: str
    label_fr: str
    advice_en: str
    advice_fr: str


_POISON_EN = "Poison Help (US): 1-800-222-1222; elsewhere your poison centre or emergency number."
_POISON_FR = "Appelez le centre antipoison de votre région ou le 15."
CATEGORIES: dict[str, CategoryText] = {
    "chest_pain": CategoryText(
        "chest pain", "douleur thoracique",
        "Stop any effort and sit down. Chest pain can be a heart attack: do not drive yourself.",
        "Arrêtez tout effort et asseyez-vous. Une douleur thoracique peut être un infarctus : ne conduisez pas."),
    "stroke": CategoryText(
        "possible stroke", "AVC possible",
        "Think FAST: Face drooping, Arm weakness, Speech difficulty, Time to call. Note the time the symptoms started.",
        "Pensez VITE : Visage paralysé, Inertie d'un membre, Trouble de la parole, En urgence appelez. "
        "Notez l'heure du début."),
    "bleeding": CategoryText(
        "severe bleeding", "saignement grave",
        "Press firmly on the wound with a clean cloth and keep pressing. Vomiting or coughing blood needs care now.",
        "Appuyez fort sur la plaie avec un linge propre sans relâcher. Vomir ou cracher du sang nécessite des soins "
        "immédiats."),
    "self_harm": CategoryText(
        "suicidal thoughts or self-harm", "idées suicidaires ou automutilation",
        "You are not alone and help is available now: in the US call or text 988, in France call 3114, "
        "in the UK and Ireland call Samaritans on 116 123. If you are in immediate danger call 112 or 911. "
        "If you can, stay with someone you trust.",
        "Vous n'êtes pas seul·e, de l'aide existe maintenant : appelez le 3114 (prévention du suicide, 24h/24). "
        "En danger immédiat appelez le 15 ou le 112. Si possible, restez avec une personne de confiance."),
    "anaphylaxis": CategoryText(
        "severe allergic reaction", "réaction allergique grave",
        "If you have an adrenaline auto-injector (EpiPen), use it now. Lie down with legs raised unless breathing is "
        "easier sitting.",
        "Si vous avez un stylo d'adrénaline (Anapen, EpiPen), utilisez-le maintenant. Allongez-vous jambes "
        "surélevées, sauf si respirer est plus facile assis."),
    "breathing": CategoryText(
        "difficulty breathing", "difficulté à respirer",
        "Sit upright and stay calm. Blue lips or being unable to speak in full sentences is an emergency.",
        "Restez assis bien droit et au calme. Des lèvres bleues ou ne pas pouvoir finir une phrase est une urgence."),
    "unconscious": CategoryText(
        "loss of consciousness", "perte de connaissance",
        "Check breathing. If breathing, place in the recovery position; if not, start CPR and ask for a "
        "defibrillator (AED).",
        "Vérifiez la respiration. Si la personne respire, mettez-la en position latérale de sécurité ; sinon "
        "commencez le massage cardiaque et demandez un défibrillateur."),
    "seizure": CategoryText(
        "seizure", "crise convulsive",
        "Protect the head, do not put anything in the mouth, time the seizure, then turn the person on their side.",
        "Protégez la tête, ne mettez rien dans la bouche, chronométrez la crise, puis mettez la personne sur le côté."),
    "poisoning": CategoryText(
        "poisoning or overdose", "intoxication ou surdose",
        f"Do not make the person vomit. Keep the packaging to show the emergency team. {_POISON_EN}",
        f"Ne faites pas vomir. Gardez l'emballage pour les secours. {_POISON_FR}"),
    "headache": CategoryText(
        "sudden severe headache", "mal de tête brutal et intense",
        "A sudden, very severe headache can be a bleed in the brain and needs urgent care.",
        "Un mal de tête brutal et très intense peut être une hémorragie cérébrale et nécessite des soins urgents."),
    "meningitis": CategoryText(
        "possible meningitis", "méningite possible",
        "Fever with a stiff neck, dislike of bright light or a rash that does not fade under a pressed glass can be "
        "meningitis: go to hospital now, do not wait for a rash.",
        "Une fièvre avec raideur de la nuque, gêne à la lumière ou des taches qui ne s'effacent pas sous un verre "
        "peut être une méningite : il faut l'hôpital maintenant, sans attendre les taches."),
    "head_injury": CategoryText(
        "head injury with warning signs", "traumatisme crânien avec signes d'alerte",
        "After a blow to the head, vomiting, confusion, drowsiness or a seizure need urgent assessment. Do not leave "
        "the person alone and give no alcohol or sleeping pills.",
        "Après un choc à la tête, des vomissements, une confusion, une somnolence ou une convulsion nécessitent un "
        "examen urgent. Ne laissez pas la personne seule, ni alcool ni somnifère."),
    "spinal_injury": CategoryText(
        "possible spinal injury", "lésion possible de la colonne",
        "Do not move the person unless they are in danger. Keep the head and neck still, in line with the body, "
        "until help arrives.",
        "Ne déplacez pas la personne sauf danger immédiat. Maintenez la tête et le cou immobiles, dans l'axe du "
        "corps, jusqu'à l'arrivée des secours."),
    "hypoglycaemia": CategoryText(
        "severe low blood sugar", "hypoglycémie sévère",
        "If the person is awake and can swallow, give fast sugar now (glucose tablets, fruit juice, regular soda). "
        "If drowsy or unable to swallow, give nothing by mouth: use a glucagon kit if there is one and place them "
        "on their side.",
        "Si la personne est consciente et peut avaler, donnez du sucre rapide maintenant (morceaux de sucre, jus de "
        "fruits, soda non light). Si elle est somnolente ou ne peut pas avaler, rien par la bouche : glucagon s'il "
        "y en a un, et position latérale de sécurité."),
    "pregnancy_bleeding": CategoryText(
        "heavy bleeding in pregnancy", "saignement abondant pendant la grossesse",
        "Lie down on your left side, put nothing in the vagina and keep the pads to show the team. Heavy bleeding "
        "or strong pain in pregnancy needs the maternity emergency service now.",
        "Allongez-vous sur le côté gauche, n'introduisez rien dans le vagin et gardez les protections pour l'équipe. "
        "Un saignement abondant ou une forte douleur pendant la grossesse nécessite les urgences maternité "
        "maintenant."),
    "infant_illness": CategoryText(
        "very ill baby", "bébé très malade",
        "A baby who is floppy, hard to wake, not feeding, breathing fast, or has a rash that does not fade under "
        "a pressed glass needs emergency care now. Under 3 months, a temperature of 38 °C or more is urgent too.",
        "Un bébé mou, difficile à réveiller, qui ne boit plus, respire vite ou a des taches qui ne s'effacent pas "
        "sous un verre nécessite les urgences maintenant. Avant 3 mois, une température de 38 °C ou plus est aussi "
        "urgente."),
    "choking": CategoryText(
        "choking", "étouffement",
        "If the person can cough, let them cough. If they cannot cough, speak or breathe: give up to 5 firm back "
        "blows between the shoulder blades, then up to 5 abdominal thrusts (chest thrusts for a baby under 1), and "
        "repeat. If they become unresponsive, start CPR.",
        "Si la personne peut tousser, laissez-la tousser. Si elle ne peut ni tousser, ni parler, ni respirer : "
        "jusqu'à 5 claques fermes dans le dos entre les omoplates, puis jusqu'à 5 compressions abdominales "
        "(thoraciques chez le bébé de moins d'un an), et recommencez. Si elle perd connaissance, massage cardiaque."),
    "caustic_ingestion": CategoryText(
        "swallowed battery or corrosive product", "pile ou produit corrosif avalé",
        "A swallowed button battery can burn through the throat within hours: go to the emergency department now, "
        "even with no symptoms. Do not make the person vomit and give nothing to eat or drink unless told to. "
        f"{_POISON_EN}",
        "Une pile bouton avalée peut brûler l'œsophage en quelques heures : urgences tout de suite, même sans "
        f"symptôme. Ne faites pas vomir, ne donnez ni à boire ni à manger sauf avis médical. {_POISON_FR}"),
    "burns": CategoryText(
        "serious burn", "brûlure grave",
        "Cool the burn under cool running water for 20 minutes and remove rings or clothing that is not stuck. "
        "No ice, butter or cream; cover loosely with cling film or a clean cloth.",
        "Refroidissez la brûlure sous l'eau tempérée pendant 20 minutes et retirez bagues et vêtements non collés. "
        "Ni glace, ni beurre, ni crème ; couvrez sans serrer d'un film alimentaire ou d'un linge propre."),
    "sepsis": CategoryText(
        "possible sepsis", "sepsis possible",
        "An infection with confusion, very fast breathing, mottled or bluish skin, little or no urine, or feeling "
        "extremely unwell can be sepsis: it needs emergency care now. Ask the team: could this be sepsis?",
        "Une infection avec confusion, respiration très rapide, peau marbrée ou bleutée, peu ou pas d'urine, ou un "
        "état très inquiétant peut être un sepsis : urgence maintenant. Demandez à l'équipe : est-ce un sepsis ?"),
}

EMERGENCY_HEADER = {
    "en": "🚨 **This may be an emergency ({labels}).** Call your local emergency number now "
          "(112 in Europe, 911 in the US, 999 in the UK, 15 in France). Do not wait for an online answer.",
    "fr": "🚨 **Cela peut être une urgence ({labels}).** Appelez tout de suite les secours "
          "(15 SAMU, 112 en Europe, 114 par SMS). N'attendez pas une réponse en ligne.",
}
NOT_A_DIAGNOSIS = {
    "en": "This automatic check is not a diagnosis: if in doubt, call anyway.",
    "fr": "Ce repérage automatique n'est pas un diagnostic : dans le doute, appelez quand même.",
}


def _label(category: str, lang: str) -> str:
    text = CATEGORIES[category]
    return text.label_en if lang == "en" else text.label_fr


@dataclass(frozen=True)
class Analysis:
    """Both signals for one message, before the semantic thresholds are applied."""
    text: str
    lang: str
    question: bool                 # a question or past history with nothing acute: no alarm
    guarded: bool                  # a question form or a reassured message: wider semantic margin, patterns need support
    pattern_flags: list[RedFlag]
    semantic: SemanticMatch | None  # None when `question` (not computed)


def analyse(text: str, cache_dir: str | Path | None = None) -> Analysis:
    """Run the question detector, the patterns and (unless it is a question) the semantic scorer."""
    lang = guess_language(text, "en")
    if not (text or "").strip() or is_question_not_emergency(text):
        return Analysis(text, lang, True, True, [], None)
    # In a question, only what it states is checked, and a statement of 4 words or more ("I'm a nurse." is not).
    asked = is_retrospective_question(text)
    described = " ".join(s for s in statements(text) if len(s.split()) >= 4) if asked else text
    patterns = [RedFlag(m.category, _label(m.category, m.lang), m.lang, m.phrase) for m in pattern_matches(described)]
    guarded = asked or is_reassured(text)
    semantic = None
    if described:
        # After a pattern match in a plain statement the alarm is raised already: the whole message alone is
        # embedded, for a second category ("shaking all over and not responding": unconscious and seizure). In a
        # guarded message the pattern needs the meaning to agree, so every segment (and the French gloss) counts.
        quick = bool(patterns) and not guarded
        gloss = english_gloss(described) if lang == "fr" and not quick else None
        semantic = semantic_scorer(str(cache_dir) if cache_dir else None).best(described, gloss, whole_only=quick)
    return Analysis(text, lang, False, guarded, patterns, semantic)


def decide(analysis: Analysis, min_score: float = SEMANTIC_MIN_SCORE, min_margin: float = SEMANTIC_MIN_MARGIN,
           guarded_margin: float = SEMANTIC_GUARDED_MARGIN) -> list[RedFlag]:
    """The red flags of an analysis: every pattern match (in a question or a reassured message, only when the
    meaning supports it), plus the semantic match if it reaches both thresholds (the margin raised by
    `guarded_margin` for a question or a reassured message)."""
    flags = {flag.category: flag for flag in analysis.pattern_flags}
    match = analysis.semantic

    def reaches(margin: float) -> bool:
        return match is not None and match.score >= min_score and match.margin >= margin

    if analysis.guarded and not reaches(min_margin + PATTERN_SUPPORT_MARGIN):  # "died of a heart attack at 55, is it hereditary?"
        flags = {category: flag for category, flag in flags.items() if category in ALWAYS_RAISED}
    if reaches(min_margin + (guarded_margin if analysis.guarded else 0.0)) and match.category not in flags:
        flags[match.category] = RedFlag(match.category, _label(match.category, analysis.lang), analysis.lang,
                                        match.segment, "semantic", round(match.score, 3))
    order = list(CATEGORIES)
    return sorted(flags.values(), key=lambda flag: (flag.source != "pattern", order.index(flag.category)))


def detect_red_flags(text: str, *, cache_dir: str | Path | None = None) -> list[RedFlag]:
    """Every emergency category `text` describes (pattern matches in table order, then the semantic match)."""
    return decide(analyse(text, cache_dir))


_FRENCH_WORDS = {"je", "j'ai", "suis", "mon", "ma", "mes", "le", "la", "les", "une", "des", "est", "et", "pas",
                 "avec", "dans", "pour", "que", "qui", "il", "elle", "nous", "vous", "ne", "du", "au", "plus", "mal",
                 "c'est", "tres", "depuis", "mais", "ou", "sa", "ses", "un", "fils", "fille", "bebe",
                 "mari", "femme", "pere", "mere", "peux", "veux", "n'arrive", "qu'il", "qu'elle", "s'est", "d'un"}
_ENGLISH_WORDS = {"i", "i'm", "im", "my", "the", "an", "is", "and", "not", "with", "in", "for", "that", "he",
                  "she", "we", "you", "have", "has", "of", "to", "it", "can't", "cant", "his", "her", "what", "how",
                  "don't", "dont", "was", "just", "had", "this", "are", "on", "me", "our", "daughter"}


def guess_language(text: str, default: str = "en") -> str:
    """'fr' or 'en' by counting common words (enough to choose the guidance language); `default` on a tie."""
    words = re.findall(r"[a-z']+", fold(text))
    score = sum(w in _FRENCH_WORDS for w in words) - sum(w in _ENGLISH_WORDS for w in words)
    return "fr" if score > 0 else "en" if score < 0 else default


def emergency_guidance(flags: list[RedFlag], lang: str | None = None) -> str:
    """The fixed emergency text for these flags, in `lang` (default: the language of the first flag)."""
    if not flags:
        return ""
    lang = "fr" if (lang or flags[0].lang) == "fr" else "en"
    labels = ", ".join(_label(f.category, lang) for f in flags)
    advice = [CATEGORIES[f.category].advice_en if lang == "en" else CATEGORIES[f.category].advice_fr for f in flags]
    bullets = "\n".join([EMERGENCY_HEADER[lang].format(labels=labels), *(f"- {a}" for a in advice)])
    return f"{bullets}\n\n{NOT_A_DIAGNOSIS[lang]}"  # a blank line, so the note is not read as part of the last item


def red_flag_guidance(text: str) -> str:
    """Emergency guidance for `text` in its language, or "" when nothing in it is a red flag."""
    flags = detect_red_flags(text)
    return emergency_guidance(flags, guess_language(text, default=flags[0].lang)) if flags else ""
