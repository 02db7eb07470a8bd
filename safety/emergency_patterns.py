"""Keyword signal of the red-flag detector, and the cues that tell a question or past history from an emergency now.

All patterns run on `fold(text)`: lower case, accents removed, typographic apostrophes made plain, so
"J’ai très mal à la poitrine" and "jai tres mal a la poitrine" read the same. Matching stays broad on
purpose (a false alarm costs a paragraph, a miss can cost a life); informational questions and past
history are recognised separately by `is_question_not_emergency` and silence both signals.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class PatternMatch:
    category: str
    lang: str     # language of the pattern that matched: "en" | "fr"
    phrase: str   # the matched text (folded)


def fold(text: str) -> str:
    """Lower-case without accents, with typographic apostrophes made plain."""
    text = unicodedata.normalize("NFKD", (text or "").replace("’", "'").replace("ʼ", "'").replace("`", "'"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


_POSSESSIVE = r"(my|his|her|their|the|our|your|a)"
# (category, lang, pattern) on folded text, in the order guidance lists them.
PATTERNS: list[tuple[str, str, str]] = [
    ("chest_pain", "en", (r"chest (pain|pressure|tightness|hurts?|is (hurting|tight|crushing|burning))"
                         rf"|pain (in|across) {_POSSESSIVE} chest|crushing (pain|feeling)|heart attack"
                         rf"|tight(ness)? (in|across|around) {_POSSESSIVE} chest|(squeez|press|crush)\w* {_POSSESSIVE} chest"
                         r"|elephant (is )?(sitting |standing )?on (my|his|her) chest")),
    ("chest_pain", "fr", (r"douleurs? (thoracique|(a|dans|sur) la poitrine)|mal (a|dans) la poitrine|oppression thoracique"
                         r"|crise cardiaque|infarctus|serrement (dans|a) la poitrine|poitrine (qui )?(me )?serre"
                         r"|(serre|etau|ecrase|brule)\w* (dans|sur) la poitrine|crise de coeur"
                         r"|(douleur|poids|etau|barre|pression)\w* (\w+ )?(dans|sur|a|au) (le |la )?(torse|thorax|sternum|coeur)")),
    ("stroke", "en", (r"\bstroke\b|face (is )?droop|droop(ing|y) (face|mouth|eyelid|on one side)|slurred speech|slurring"
                     rf"|(can'?t|cannot|unable to) (speak|talk|lift {_POSSESSIVE} arm|move (the )?(left|right) side)"
                     r"|sudden (numbness|weakness|confusion)|(numb|weak|paralys\w*) on one side"
                     rf"|one side of {_POSSESSIVE} (body|face)|(left|right) side of {_POSSESSIVE} (body|face)"
                     r"|words (come|coming|came) out (jumbled|wrong|garbled)|mouth (is )?(crooked|lopsided)")),
    ("stroke", "fr", (r"\bavc\b|accident vasculaire|visage (paralyse|affaisse|de travers)|bouche (de travers|tordue)"
                     r"|(trouble|difficulte)s? (de|a) (la )?parole|n'arrive (plus |pas )*a parler"
                     r"|paralysie (d'un cote|soudaine|du visage)|engourdissement soudain|bras (qui )?ne (repond|bouge) plus"
                     r"|(cote|moitie) (gauche|droit|droite) (du corps )?(ne bouge plus|paralyse|engourdi)")),
    ("bleeding", "en", (r"(heavy|heavily|severe|uncontroll?ed|a lot of|massive|profuse) bleed"
                       r"|bleed(ing|s)? (heavily|a lot|badly|profusely|everywhere)"
                       r"|(won'?t|doesn'?t|does not|will not|can'?t|cannot) stop (the )?bleed"
                       r"|(spurting|pumping|gushing|pouring|squirting) (out )?(blood|everywhere)|blood (is )?(spurting|pumping"
                       r"|gushing|pouring|squirting)|soaked (through )?(a |the |my |his |her )?(towel|bandage|cloth|tea towel)"
                       r"|bleeding (that |which )?(won'?t|doesn'?t|does not|will not|isn'?t) stop"
                       r"|(vomit\w*|throw\w* up|cough\w* up|spit\w* up|puk\w*) (up )?(blood|bright red)|blood in (my )?vomit"
                       r"|hemorrhag|haemorrhag|blood (is )?(spurting|pouring|gushing)")),
    ("bleeding", "fr", (r"hemorragie|saign\w* (beaucoup|abondamment|enormement|sans arret|partout|(qui )?ne s'arrete pas)"
                       r"|saignements? (abondant|important|grave|massif|qui ne s'arrete)|(vomi\w*|crach\w*) du sang"
                       r"|sang (qui )?(gicle|coule a flots|pisse)|pisse le sang|(trempe|imbibe)\w* de sang"
                       r"|(torchon|serviette|pansement|linge) (est )?(deja )?(trempe|imbibe)")),
    ("self_harm", "en", (r"suicid|kill (myself|me)|end (my|it all|my own) li(fe|ves)|end it all|want(ed)? to die"
                        r"|wish i (was|were) dead|better off dead|no reason to live|self[- ]harm|hurt(ing)? myself"
                        r"|cut(ting)? myself|take my (own )?life|(don'?t|do not) want to (be alive|live|wake up)"
                        r"|(not|never) wake up again|disappear forever|no (point|reason) (in|to) (going on|living|carry)"
                        r"|(jump|throw (myself|himself|herself)) (off|from|under) (a|the) (bridge|roof|building|train|balcony)"
                        r"|(going|gonna|wants?) to kill (himself|herself|themselves)")),
    ("self_harm", "fr", (r"suicid|me tuer|en finir|mettre fin a (mes jours|ma vie)|envie de mourir|veux mourir"
                        r"|me faire du mal|automutil|me scarifier|plus envie de vivre|(ne )?veux plus vivre"
                        r"|plus (envie d'etre|la force de vivre)|(plus|aucune) raison de (vivre|continuer)"
                        r"|(veux|voudrais) (que tout s'arrete|disparaitre)|envie de disparaitre|disparaitre (pour toujours|de bon)"
                        r"|(sauter|me jeter|se jeter) (du|d'un|sous (le|un)|par la) (pont|toit|train|fenetre|balcon)"
                        r"|(allait|va|veut|voulait) se (tuer|suicider|foutre en l'air)")),
    ("anaphylaxis", "en", (r"anaphyla|throat (is )?(closing|swelling|swollen|tight)|(swollen|swelling) (tongue|throat|lips?|face)"
                          r"|(tongue|lips?|throat|face|eyes) (is |are |has |have )?(swell\w*|swollen|puff\w*|balloon\w*)|epi-?pen"
                          r"|(face|lips?|tongue|eyes) (looks?|look|is|are) like (a )?balloons?"
                          r"|(hives|welts) (all over|everywhere).*(breath|wheez|throat|dizzy|faint)")),
    ("anaphylaxis", "fr", (r"choc anaphylactique|anaphylax|(gorge|langue|levres?|visage|yeux) (qui )?(se mettent a |se met a )?"
                          r"(gonfle|enfle|triple|double)"
                          r"|gorge (qui se ferme|serree)|oedeme de quincke|\bquincke\b"
                          r"|(plaques|urticaire|boutons).*(respire mal|du mal a respirer|gorge|malaise)")),
    ("breathing", "en", (r"(can'?t|cannot|can not|unable to|struggling to|hard to|trouble|difficulty) (to )?breath"
                        r"|short(ness)? of breath|gasping|(blue|turning blue) lips|lips (are |turning )?blue|not breathing"
                        r"|can'?t (get|catch) (my|his|her) breath|nostrils (are )?flar\w*"
                        r"|breathing (very |super |really |so )?(fast|quick\w*) (and|with)"
                        r"|\b(sats?|saturation|spo2|oxygen|o2|oxygene)\D{0,25}\b([4-8]\d|9[01]) ?%")),
    ("breathing", "fr", (r"((n'|j'?)?arrive (pas|plus) a|du mal a|peine a|(ne )?peux (pas|plus)|(ne )?peut (pas|plus)) respirer"
                        r"|difficultes? (a|pour) respirer|levres bleues|ne respire (pas|plus)|manque d'air"
                        r"|souffle court|essouffle\w* au repos"
                        r"|\b(sat|saturation|spo2|oxygene|o2)\D{0,25}\b([4-8]\d|9[01]) ?%")),
    ("unconscious", "en", (r"unconscious|passed out|fainted|unresponsive|(won'?t|will not|doesn'?t|can'?t) wake (up)?"
                          r"|collapsed|not breathing|lost consciousness|(isn'?t|not) (responding|moving)|won'?t come round")),
    ("unconscious", "fr", (r"inconscient|perdu connaissance|perte de connaissance|evanoui|ne (repond|reagit) plus"
                          r"|ne se reveille pas|s'est effondre|ne respire (pas|plus)|tombe dans les pommes")),
    ("seizure", "en", r"seizure|seizing|convuls|epileptic fit|having a fit|fitting"),
    ("seizure", "fr", r"convuls|crise d'epilepsie|crise epileptique|(deux|2|plusieurs|trois) crises (d'affilee|de suite)"),
    ("poisoning", "en", (r"overdos|poison|swallowed (bleach|pills|detergent)|took too many (pills|tablets)"
                        r"|(took|swallowed|taken|had) ((like|about|around|maybe|over) )?(\d+|a whole (box|bottle|packet)|all (my|his|her|the)) "
                        r"\w*\s?(pills|tablets|paracetamol|tylenol|ibuprofen|sleeping)")),
    ("poisoning", "fr", (r"surdose|overdose|intoxi|empoisonn|avale (de la javel|des (medicaments|comprimes))"
                        r"|trop de (medicaments|comprimes|cachets)|(avale|pris) (\d+|toute la boite|tous (mes|ses|les))"
                        r" (comprimes|cachets|medicaments|doliprane|paracetamol)"
                        r"|(mange|avale|pris|croque) (des|plein de|beaucoup de|une poignee de|plusieurs|\d+) (comprimes|cachets|medicaments"
                        r"|pilules|gelules)")),
    ("headache", "en", r"worst headache|thunderclap|sudden (severe|terrible|excruciating) headache"),
    ("headache", "fr", (r"pire mal de tete|mal de tete (brutal|violent|soudain)|cephalee (d'apparition )?(brutale|en coup de tonnerre)"
                        r"|(douleur|mal) (foudroyante?|fulgurante?|atroce|explosive?) (\w+ )*?(a la tete|au crane|dans le crane"
                        r"|a l'arriere du crane)")),
    ("meningitis", "en", (r"stiff neck.*(fever|light|rash)|(fever|temperature).*stiff neck|meningitis"
                         r"|rash (that )?(doesn'?t|does not|won'?t) (fade|go away) (under|with|when)")),
    ("meningitis", "fr", (r"meningite|nuque raide.*(fievre|lumiere)|(fievre|temperature).*nuque raide"
                          r"|(fievre|\b(39|40|41)([.,]\d)?\b).*(nuque (raide|bloquee)|baisser la tete).*(lumiere|taches)"
                         r"|taches? qui ne (s'efface|disparai)\w* pas")),
    ("head_injury", "en", (rf"(hit|banged|bumped|knocked|smacked) {_POSSESSIVE} head.*(vomit|confus|drowsy|sleepy|threw up)"
                          r"|head (injury|trauma).*(vomit|confus|drowsy|sleepy)|concussion"
                          r"|(got|was|been|were|gets) knocked (out|unconscious)|knocked (him|her|me|myself|them) out")),
    ("head_injury", "fr", (r"(cogne|choc|coup|tombe|heurte).*tete.*(vomi|confus|somnol|endormi|embrouill|desoriente)"
                          r"|traumatisme cranien|(s'est |me suis |s'est fait |s'est faite )?assomme\w*"
                          r"|commotion cerebrale")),
    ("spinal_injury", "en", (r"(can'?t|cannot) (feel|move) (my|his|her) (legs|feet|toes|arms)"
                            r"|(broke|broken|hurt|injured) (my|his|her) (neck|back|spine)|spinal (cord )?injur")),
    ("spinal_injury", "fr", (r"(ne sent plus|ne bouge plus|ne peut plus bouger) (ses|mes) (jambes|pieds|bras)"
                            r"|(casse|fracture) (le cou|la colonne|les cervicales|le dos)|moelle epiniere")),
    ("hypoglycaemia", "en", (r"(blood )?sugar (is )?(very |really |super )?(low|crashing|dropping)|hypo(glyc\w*)?\b"
                            r"|glucose (is )?(very low|low)|(sugar|glucose|meter|dexcom|libre|reading|bm)\D{0,20}"
                            r"\b(([0-2]|3[.,][0-4])([.,]\d)?( ?mmol)?|([1-4]\d|5[0-4]) ?mg)\b(?![.,]\d)"
                            r"(?! ?(h|hours?|hrs?|days?|weeks?|months?|times|x|years?)\b)")),
    ("hypoglycaemia", "fr", (r"hypo(glycemie)?\b|(glycemie|sucre) (tres |trop )?(basse?|chute|qui chute)"
                            r"|(glycemie|dextro|capteur|lecteur)\D{0,20}\b0[.,][1-5]\d?\b")),
    ("pregnancy_bleeding", "en", (r"pregnan\w*.*(bleed|blood|clots)|(bleed|blood|clots).*pregnan"
                                 r"|(weeks|months) (pregnant|along).*(bleed|blood)|miscarr")),
    ("pregnancy_bleeding", "fr", (r"enceinte.*(saign|sang|caillot)|(saign|sang|caillot).*enceinte"
                                 r"|fausse couche|grossesse.*(saign|sang)")),
    ("infant_illness", "en", (r"(baby|newborn|infant).*(floppy|limp|won'?t (feed|wake|eat)|not feeding|not waking)"
                             r"|(floppy|limp) (baby|newborn|infant)|(baby|newborn|infant|\d+ (week|day|month)s? old).*(rag doll"
                             r"|hard to (wake|rouse)|won'?t (take|have) (the )?(breast|bottle|feeds?)|won'?t wake)"
                             r"|(\d+|one|two|three|four|five|six|eight) (week|day)s? old.*(fever|temperature|hot|3[89])")),
    ("infant_illness", "fr", (r"(bebe|nourrisson|nouveau-ne).*(\bmou\b|molle|flasque|ne (tete|mange|boit|se reveille) plus"
                             r"|ne (tete|boit) pas|refuse (de teter|le biberon|le sein))"
                             r"|(\d+|une|deux|trois|quatre|cinq|six|sept|huit|dix) (semaines?|jours?)\b.{0,60}"
                             r"(fievre|temperature|\b3[89]([.,]\d)?\b|\b40\b)"
                             r"|\b(1|2|un|deux) mois\b.{0,60}(fievre|\b3[89]([.,]\d)?\b|\b40\b)")),
    ("choking", "en", r"chok(ing|es|ed)\b|something (is )?stuck in (my|his|her|their) throat"),
    ("choking", "fr", (r"s'etouffe|etouffement|fausse route|(coince|bloque) dans (la|sa) gorge"
                      r"|avale (une|un) (bille|piece|bonbon|jouet|perle|noyau|cacahuete|bouchon).*(respir|tousser|bleu)")),
    ("caustic_ingestion", "en", (r"(swallowed|ate|ingested|drank|drunk) (a |some |the )?(button )?batter"
                                r"|button batter|(swallowed|drank|drunk|ate) (some |the )?(bleach|drain cleaner|oven cleaner"
                                r"|lye|caustic|dishwasher|washing (machine )?(pod|capsule|liquid)|detergent|laundry pod)"
                                r"|(swallowed|ate|ingested) (\w+ ){0,2}magnets?")),
    ("caustic_ingestion", "fr", (r"(avale|bu|mange) (une |la |de la |du |des )?(pile|javel|deboucheur|soude|caustique"
                                r"|produit (vaisselle|menager|lave)|lessive|capsule)|pile bouton|avale (\w+ ){0,2}aimants?")),
    ("burns", "en", (r"(badly|severely|seriously) burn|burn\w* (all over|(his|her|my) (face|chest|hands?|arms?|legs?))"
                    r"|(third|3rd|second|2nd)[- ]degree burn|(boiling|hot) (water|oil).*(burn|skin|over)|skin (is )?peeling off")),
    ("burns", "fr", (r"brule\w* (grave|gravement|profond|au (visage|troisieme|second|deuxieme))|brulure (grave|profonde|etendue)"
                    r"|(eau|huile|the|cafe|soupe|lait) (bouillante?|brulante?)|grosses cloques")),
    ("sepsis", "en", r"sepsis|septic|(fever|infection).*(confus|mottled|blotchy|blue)|mottled skin"),
    ("sepsis", "fr", (r"sepsis|septicemie|choc septique|(fievre|infection|pyelo\w*|pneumonie).*(confus|marbr|desorient"
                     r"|coeur qui s'emballe|me sens partir|respire (tres )?vite)|peau marbree")),
]
_COMPILED = [(category, lang, re.compile(pattern)) for category, lang, pattern in PATTERNS]

# Someone asking about a condition, or telling its past history, not describing an emergency happening now.
_QUESTION = re.compile(
    r"\b(what (is|are|does|causes|happens|should)|what'?s (a|an|the)|how (is|are|does|long|often|can) \w+"
    r"|how do (doctors|you|they|i know|i tell|\w+ (treat|diagnose|test|manage))|can you explain|please explain"
    r"|tell me about|is it true|(is|are) \w+( \w+)? (dangerous|serious|common|normal|curable|genetic) (in|for|after|long)"
    r"|in the long term|long[- ]term|treated|avoid|grow out of)\b"
    r"|\b(signs|symptoms|causes|risk|risks|chances?|odds) of\b|\b(prevent|prevention|reduce (my|the) risk|diagnos)"
    r"|\b(hereditary|genetic|contagious|statistics|definition|difference between)\b"
    r"|\b(want to know|wondering|curious|(je )?veux savoir|jveux savoir|voudrais savoir)\b"
    r"|^(qu'est|quest|c'est quoi|c quoi|comment (on|se|est|sont|savoir|prevenir)|quels?|quelles?|combien)"
    r"|\b(signes?|symptomes?|causes?) (d'|de |du |des )"
    r"|\b(qu'est-ce|c'est quoi|comment (on |se )?(diagnostiqu|soign|trait|preven|reconnai)|quels? sont les"
    r"|risques? d|prevenir|hereditaire|contagieux|difference entre|que (faire|veut dire|signifie) (si|en cas|une|un|le|la)"
    r"|faut-il|\w+-(elle|il|on) (grave|dangereuse?|frequente?|contagieuse?|hereditaire)|est-ce (grave|dangereux)"
    r"|a (l'avance|titre preventif)|in advance|just in case|apprendre|premiers secours|first aid (course|training))")
_HISTORY = re.compile(
    r"\b(\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|few|several|many) (years?|months?|decades?) ago\b"
    r"|\blast (year|month|spring|summer|winter|autumn|fall)\b|\bin (19|20)\d\d\b|\bhistory of\b|\bused to (have|get)\b"
    r"|(?<!ve )(?<!has )\b(had|survived|recovered from) (a|an|his|her|my) \w+( \w+)? (in|back|when|as)\b|\bsince (his|her|my) \w+ (in|last)"
    r"|\bil y a (\d+|un|une|deux|trois|quatre|cinq|six|dix|quelques|plusieurs) (ans?|mois|annees)\b"
    r"|\b(l'an|l'annee) (dernier|derniere|passee)|\bantecedents?\b|\ben (19|20)\d\d\b"
    r"|\bas a (baby|toddler|child|kid|teenager|teen)\b|\bwhen (he|she|i) was (a |little|younger|small|\d)"
    r"|\bquand (il|elle|j') ?(etait|etais) (petit|petite|bebe|jeune)"
    r"|\b(when (i|he|she) was|at the age of|a l'age de|quand j'avais) \d+|\bplus rien depuis\b|\bnothing since\b")
# "What should I do if someone is choking?": a hypothetical, unless it also says it is happening now.
_HYPOTHETICAL = re.compile(r"\b(if|in case) (someone|somebody|a person|a child|anyone|my \w+ ever|ever)\b"
                           r"|\b(si|au cas ou) (quelqu'un|un enfant|une personne)\b|\ben cas d"
                           r"|\b(want|like|need) to be prepared|\b(pour )?etre pret|how (do|would|should|can) (you|i|we)"
                           r" (do|give|perform|use)\b")
_URGENT = re.compile(r"\b(right now|now|just now|help (me|us)|please help|ambulance|911|112|999|maintenant|au secours"
                     r"|aidez)\b|^help\b")
# Words that describe something acute happening now: they keep the alarm on even in a question.
_ACUTE = re.compile(
    r"\b(right now|just now|now (he|she|i|my|his|her|it|they|we)|(is|are|am|i'm|he's|she's) now|currently|at the moment|this (morning|evening|afternoon)|tonight|suddenly|all of a sudden"
    r"|started|starting|keeps?|won'?t stop|getting worse|help (me|us)|please help|need help|ambulance|911|112|999)\b"
    r"|^help\b|\bhelp\s*!"
    r"|\b(\d+|a few|few|twenty|ten|five|an|one|half an) (minutes?|mins?|hours?|hrs?) (ago|now)\b"
    r"|\bfor (the (last|past) )?(\d+|a few|twenty|ten|an|one|half an) (minutes?|mins?|hours?)\b"
    r"|\b(i'?m|i am|he'?s|she'?s|he is|she is|they are|is) (having|bleeding|vomiting|shaking|turning|not breathing"
    r"|choking|seizing|unconscious|passing out|gasping|fitting)\b|\bcan'?t (breathe|speak|talk|move|feel|stop)\b"
    r"|\b(maintenant|en ce moment|tout a coup|soudain\w*|brutalement|ce (matin|soir)|cette nuit|au secours|aidez"
    r"|vient de|viens de|est en train|n'arrete pas|continue de|s'aggrave)\b"
    r"|\bil y a (\d+|quelques|une|un|dix|vingt) (minutes?|heures?)\b|\bdepuis (\d+|une|un|quelques|dix|vingt) "
    r"(minutes?|heures?)\b"
    r"|\b(is|are|am|i'm|im|he's|she's|looks?|feels?|went|gone|going|turned|turning) (so |very |really |all )?(floppy|limp|blue"
    r"|grey|gray|confused|drowsy|sweaty|clammy|pale|unresponsive|numb|paralysed|paralyzed|jumbled|slurred)\b"
    r"|\b(who'?s|who is) (choking|bleeding|unconscious|having|not breathing)\b"
    r"|\b(est|suis|devient|devenu|devenue) (tout |toute |tres )?(mou|molle|bleu|bleue|gris|grise|confus|confuse|inconscient"
    r"|paralyse|paralysee|engourdi|engourdie)\b")


# Names of conditions: in a question ("are febrile seizures dangerous?") they name a topic, not an event.
_CONDITION_NAME = re.compile(
    r"(\bstroke\b|\bavc\b|heart attack|crise cardiaque|infarctus|seizures?|convuls\w*|epilep\w*|anaphyla\w*"
    r"|meningit\w*|meningite|sepsis|septic\w*|septicemie|concussion|commotion cerebrale|overdos\w*|surdose|poison\w*"
    r"|intoxi\w*|hypo\w*|miscarr\w*|fausse couche|fausse route|choking|etouffement|button batter\w*|pile bouton"
    r"|hemorrhag\w*|haemorrhag\w*|hemorragie|quincke|epi-?pen|\w* ?burns?)")
_QUESTION_FORM = re.compile(
    r"\?\s*$|^(what|how|why|when|which|who|is|are|can|could|do|does|should|will|would|may|est-ce|est ce|c quoi|c'est quoi|qu'est-ce|qu'est ce|quel\w*|comment"
    r"|pourquoi|que|quand|faut-il|peut-on|combien)\b|\b\w+-(il|elle|on|t-il|t-elle)\b")


# "no thoughts of hurting myself", "pas de gonflement de la gorge": a symptom denied just before the match.
_NEGATED = re.compile(r"\b(no|not|never|without|denies|sans|aucune?|pas de|jamais)\s+(\S+\s+){0,2}$")
# "... hit my head, small bump, no headache or vomiting": the match's last words are denied.
_NEGATED_END = re.compile(r"\b(no|without|sans|pas de|ni|aucune?|never|jamais)\s+(\S+\s+){0,3}\S*$")


def pattern_matches(text: str) -> list[PatternMatch]:
    """The first matching pattern of every category, in table order; in a question, a bare condition name is no match."""
    folded = fold(text).strip()
    question = bool(_QUESTION_FORM.search(folded)) and not _ACUTE.search(folded)
    found: dict[str, PatternMatch] = {}
    for category, lang, pattern in _COMPILED:
        for match in pattern.finditer(folded):
            if category in found:
                break
            negated = _NEGATED.search(folded[:match.start()]) or _NEGATED_END.search(folded[:match.end()][-40:])
            if not negated and not (question and _CONDITION_NAME.fullmatch(match.group(0))):
                found[category] = PatternMatch(category, lang, match.group(0))
    return list(found.values())


# A question about the past ("What was my hemoglobin?", "What did my echocardiogram show?", "When did I have my
# stroke?"): record look-ups in HealyChat. The semantic signal is not asked about these (MiniLM puts "hemoglobin"
# next to the bleeding phrases); the patterns still run, so a described emergency still fires.
_RETROSPECTIVE_QUESTION = re.compile(
    r"^(what|when|which|who|where|how (much|many|long|often|high|low)|did|was|were|quel\w*|quand|combien|qu'est-ce)\b"
    r".*\b(was|were|did|had|showed?|shown|found|given|prescribed|done|measured|mentioned|recorded|said|etait|a ete"
    r"|avait|ont ete)\b")


def is_retrospective_question(text: str) -> bool:
    """A question (about past results or events, or any question form), with no sign of something acute now."""
    folded = fold(text).strip()
    asked = _RETROSPECTIVE_QUESTION.search(folded) or _QUESTION_FORM.search(folded)
    return bool(asked) and not _ACUTE.search(folded)


# The message says the problem is mild, over or not affecting the person ("now playing normally", "ça va mieux").
_REASSURED = re.compile(
    r"\b((is|are|am|i'?m|feels?|feel|seems?|looks?) (fine|ok|okay|better|normal)( now| again)?|now (fine|ok|okay|better)"
    r"|back to normal|(totally|completely) (himself|herself|fine)|as usual|like normal|nothing dramatic|no big deal"
    r"|(playing|eating|feeding|drinking|walking|running around|chatting) (normally|well|fine|as usual|like normal)"
    r"|healing|(it |that )?(went away|passed|stopped)( on its own| by itself| after)?"
    r"|ca va (mieux|bien|dans l'ensemble|maintenant)|(maintenant|desormais|a present) ca va|(va|allait) mieux"
    r"|all good now|(joue|mange|boit|tete|court) (bien|normalement|comme)"
    r"|comme d'habitude|(est|a) passe|ca passe|cicatrise|rien de grave|rien d'autre|tout va bien|(il|elle|je) vas? bien"
    r"|rien depuis|nothing since|(feeding|eating|sleeping) well|smiling|stable)\b")


def is_reassured(text: str) -> bool:
    """True when the message says the problem is mild, over or not affecting the person."""
    return bool(_REASSURED.search(fold(text)))


def statements(text: str) -> list[str]:
    """The sentences and leading clauses of `text` that state something rather than ask ("My dad is pale and
    vomiting, is it serious?" -> "My dad is pale and vomiting"): a question about a situation still describes it."""
    found = []
    for sentence in re.split(r"(?<=[.!?;])\s+", " ".join((text or "").split())):
        for clause in re.split(r",\s+", sentence) if sentence.endswith("?") else [sentence]:
            if _QUESTION_FORM.search(fold(clause).strip()):
                break
            found.append(clause)
    return [s for s in found if s.strip()]


def is_question_not_emergency(text: str) -> bool:
    """True for a question about a condition or a past history with no sign of something acute happening now."""
    folded = fold(text).strip()
    if _HYPOTHETICAL.search(folded) and not _URGENT.search(folded):
        return True
    if _ACUTE.search(folded):
        return False
    if _HISTORY.search(folded):
        return True
    # A question that also states something ("... pressure in my chest since lunch. Can it wait?") is not silenced:
    # what it states is checked (safety/redflags.py).
    return bool(_QUESTION.search(folded)) and not any(not _QUESTION.search(fold(s)) for s in statements(text))
