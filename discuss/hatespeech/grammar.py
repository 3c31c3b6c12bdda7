"""The rules: who is targeted, and how.

A comment is read sentence by sentence, clause by clause, over the tokens of
:mod:`.tokens`. Each position is tagged with the classes of lexicon phrases
that start there (:data:`CLASSES`), and the groups mentioned are found
(:class:`Mention`: a group noun, a group adjective before a person noun, a slur,
a place that stands for a group, or a pronoun that refers back to a group
named earlier). The rules then look for a few shapes, always within a small
window so that the work stays linear:

* **threat**: a violent word with a first-person future ("I'm going to ..."),
  a normative frame ("... should be shot", "someone needs to ..."), an
  imperative at the start of a clause ("kill all ..."), a wish ("hope they
  die") or a weapon with a plan, and a group in the same clause;
* **dehumanisation / derogation**: a group, a linking verb, a dehumanising or
  negative predicate ("Travellers are vermin", "why are X so filthy?"), or the
  predicate right before the group ("filthy immigrants", "immigrant scum");
  denied positives ("X are not human", "can never be trusted") count too,
  denied negatives ("X are not criminals") do not;
* **hatred**: "I hate / despise / can't stand X", "X disgust me";
* **exclusion**: "X should be deported", "deport them", "X have no place here",
  "no X in our town", "X out";
* **derogation (implicit)**: "typical X", "overrun with X", a group with a
  negative consequence ("... and the road goes downhill");
* **slur**: a slur, unless it is a homonym in context ("faggots and peas"),
  reclaimed self-description ("as a queer woman"), or a proper name.

Finally, findings inside quotation marks or reported speech ("saying X are
parasites is vile") are set aside as counter-speech when the comment condemns
them, or when a counter frame introduces them ("if you think ...", "stop
calling ...").
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from . import lexicon as lx
from .lexicon import Target
from .tokens import Token, _phrase_words

# -- phrase tables -------------------------------------------------------------

CLASSES: dict[str, frozenset[str]] = {
    "DEH": lx.DEHUMANISING, "NEG": lx.NEGATIVE_ATTRIBUTES, "POS": lx.POSITIVES,
    "EXCLP": lx.EXCLUSION_PHRASES, "EXCLA": lx.EXCLUSION_ACTS, "VIOL": lx.VIOLENCE,
    "WEAKV": lx.WEAK_VIOLENCE, "WEAPON": lx.WEAPONS, "HATE": lx.HATE_VERBS, "DISGUST": lx.DISGUST_VERBS,
    "NOT": lx.NEGATORS, "FUTURE": lx.FUTURE, "NORM": lx.NORMATIVE, "FIRST": lx.FIRST_PERSON,
    "GPRON": lx.GROUP_PRONOUNS, "REPORT": lx.REPORTING, "COND": lx.CONDEMNATION,
    "CONSEQ": lx.NEGATIVE_CONSEQUENCES, "SWAMP": lx.SWAMPING, "LINK": lx.LINKS, "BLOCK": lx.LINK_BLOCKERS,
    "INTENS": lx.INTENSIFYING_DENIALS, "ENDORSE": lx.ENDORSEMENTS,
}
MAX_PHRASE = 7


def _build_phrases() -> tuple[dict, dict]:
    """Single words by word; longer phrases by their first two words (so a lookup meets few candidates)."""
    singles: dict[str, list[str]] = {}
    longer: dict[tuple[str, str], list[tuple[tuple[str, ...], str]]] = {}
    for cls, phrases in CLASSES.items():
        for phrase in phrases:
            words = _phrase_words(phrase)
            if not words or len(words) > MAX_PHRASE:
                continue
            if len(words) == 1:
                singles.setdefault(words[0], []).append(cls)
            else:
                longer.setdefault(words[:2], []).append((words, cls))
    for entries in longer.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return singles, longer


SINGLE_PHRASES, LONGER_PHRASES = _build_phrases()


def _table_phrases(table) -> dict[str, list[tuple[tuple[str, ...], object]]]:
    out: dict[str, list] = {}
    for key, value in table.items():
        words = _phrase_words(key)
        out.setdefault(words[0], []).append((words, value))
    for entries in out.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return out


NOUN_PHRASES = _table_phrases(lx.GROUP_NOUNS)
ADJ_PHRASES = _table_phrases(lx.GROUP_ADJECTIVES)
PLACE_PHRASES = _table_phrases(lx.GROUP_PLACES)
SLUR_PHRASES = _table_phrases(lx.SLURS)
MENTION_FIRST_WORDS = frozenset(NOUN_PHRASES) | frozenset(ADJ_PHRASES) | frozenset(PLACE_PHRASES) | \
    frozenset(SLUR_PHRASES)
COUNTER_FRAMES = {}
for _frame in lx.COUNTER_FRAMES:
    _words = tuple(w for part in _frame for w in _phrase_words(part))
    COUNTER_FRAMES.setdefault(_words[0], []).append(_words)

PREPOSITIONS = frozenset("of for about with to from by on at against towards toward among between "
                         "into onto over under behind near around like as than".split())
QUANTIFIERS = frozenset("all most many some each every none any half lot lots majority plenty one "
                        "several few bunch load loads".split())
DETERMINERS_INDIVIDUAL = frozenset("the this that my our your his her their".split())
SINGULAR_NOUNS = frozenset("muslim jew christian hindu sikh traveller traveler gypsy gipsy immigrant migrant "
                           "foreigner refugee woman homosexual lesbian transsexual transgender asylum seeker "
                           "illegal catholic".split())
HATE_OBJECT_BLOCKERS = frozenset("who that which people those anyone anybody someone somebody everyone "
                                 "racists racist bigots bigot way how treated treatment abuse attacks "
                                 "discrimination hatred racism prejudice homophobia transphobia what when "
                                 "hearing the idea fact council government police media councillors politicians "
                                 "press".split())
FOLLOW_OK = frozenset("into onto in on at out off back from of with by for near around here there now "
                      "are is were was be should must will would can could have has need needs deserve "
                      "deserves get got and or who to in on at are all just always never not do does did "
                      "make makes take took keep bring ruin ruining".split())
ADJ_BEFORE_EXCLUDED = frozenset("threat danger problem burden drain waste rape ruin ruins destroy destroys "
                                "steal steals curse scourge swarm swarms invasion invaders hordes swarming "
                                "menace nuisance disgrace joke liability cancer plague disease virus "
                                "infestation blight stink smell sick mental simple tight cheap loud "
                                "simple dirt terror bad".split())
PREDICATE_FOLLOW_BLOCK = {"entitled": {"to"}, "deserve": {"to", "better", "help", "support", "respect", "a"},
                          "deserves": {"to", "better", "help", "support", "respect", "a"},
                          "worth": {"noting", "saying", "remembering", "asking", "a", "mentioning"},
                          "sick": {"of", "and", "to"}, "tired": {"of"}, "victims": {"of"}, "problem": {"with", "for"},
                          "threat": {"from"}, "danger": {"from"}, "afraid": {"of"}, "scared": {"of"},
                          "terror": {"attacks", "attack"}, "mental": {"health"}, "waste": {"collection", "bins"},
                          "dirty": {"looks", "look", "work", "jobs"}, "crazy": {"about"}, "nuts": {"about"}}
COLLECTIVES = frozenset("bunch lot load loads pack herd swarm horde band gang kind sort type breed nest colony "
                        "plague mob rabble bag heap pile den flock".split())
PREDICATE_PRECEDE_BLOCK = frozenset("in at of from against".split())
HUMANITY = frozenset(["human", "humans", "human beings", "human being", "people", "persons", "a person",
                      "real people", "real person", "proper people", "full people", "exist", "matter"])
# Denied only when a "should" says so: "X should not have rights" (but "X do not have the right to work" is a fact).
NORMATIVE_ONLY = frozenset(["rights", "have rights", "any rights", "equal rights", "human rights", "a vote",
                            "the vote", "a say", "children", "kids", "in charge", "in power", "leaders"])
BELONGING = frozenset("welcome welcomed wanted british english citizens one of us members of society "
                      "part of society part of this country".split())
SINGULAR_SEX_NOUNS = frozenset("woman man girl boy lady gentleman bloke guy lass lad female male".split())
PROTECTED_AS = frozenset("spoken called treated insulted abused bullied harassed attacked hurt talked".split())
LET_IN = frozenset("in into inside near on through live move stay rent work join marry date come anywhere over".split())
RELATIVE_SUBJECTS = frozenset("anyone anybody everyone everybody people those someone somebody whoever".split())
MODALS = frozenset("should shall must will can could would may ought".split())
PERMISSION = frozenset("allowed permitted let welcome welcomed tolerated trusted admitted".split())
PARTICLE_VERBS = frozenset("get keep kick throw send run drive chase boot turf ship force move push".split())
PARTICLES = frozenset("out back off away home".split())
STRONG_SWAMP = frozenset(_phrase_words(p) for p in (
    "overrun with", "overrun by", "swamped by", "swamped with", "infested with", "flooded with", "taken over by",
    "invaded by", "crawling with", "teeming with", "overflowing with", "sick of all the"))
SARCASM = frozenset(_phrase_words(p) for p in (
    "what do you expect", "what did you expect", "no wonder", "of course", "surprise surprise", "as usual",
    "typical", "predictably", "obviously", "figures", "says it all", "tells you everything"))
STRONG_FRAGMENT = frozenset("terrorists bombers rapists criminals paedophiles paedos groomers thieves vermin "
                            "rats parasites cockroaches scum animals savages invaders breeding creatures beasts "
                            "filth pests leeches".split())
RECLAIM_BEFORE = frozenset("i am we are as a an proud fellow myself ourselves us our my me".split())
VERB_SENSE_BEFORE = frozenset("to will would may might could can not also further only seriously badly "
                              "significantly could".split())
IMPERATIVE_SPLIT = frozenset(_phrase_words(p) for p in lx.IMPERATIVE_OPENERS)
IDIOM_OBJECTS = frozenset("""
plan plans proposal proposals idea ideas scheme schemes bill motion project projects policy policies budget
cuts cut application applications deal funding closure target targets record records appeal competition
quiz game match matches documentary film films video videos photo photos pictures footage scene scenes email
emails message messages question questions myth myths stereotype stereotypes rumour rumours prejudice racism
hate hatred bigotry discrimination homophobia transphobia poverty loneliness stigma it time bill bills
traffic queue queues show gig set exam exams test tests speech argument debate vote votes
""".split())
VIOLENT_NOUNS = frozenset("attack attacks killing killings murder murders shooting shootings bombing bombings "
                          "beating hanging execution death massacre slaughter genocide holocaust assault rape "
                          "torture stabbing burning cull culling purge harm hurt kick punch bomb gas".split())
NOUN_BEFORE = frozenset("the a an this that after before since of his her their our its any every".split())
RELATIVES = frozenset("who that which whom".split())
PAST = frozenset("was had did came walked said told shouted asked went got".split())
HATE_NOUNS = frozenset("crime crimes speech mail incident incidents group groups campaign campaigns preachers "
                       "preacher figures".split())
NOUN_THREATS = frozenset(_phrase_words(p) for p in (
    "a good kicking", "a kicking", "a beating", "a good beating", "a good hiding", "a hiding", "a slap",
    "a bullet", "the rope", "a noose", "the noose", "the gas chamber", "the ovens", "in the ground",
    "in the grave", "in a grave", "in a ditch", "in hospital", "in blood", "the only good"))
AUXILIARIES = frozenset("can do does did will would should could are is were was have has must".split())
BEFORE_GROUP = {tuple(_phrase_words(p)): category for p, category in (
    ("nothing worse than", "hatred"), ("nothing lower than", "hatred"), ("nothing more disgusting than", "hatred"),
    ("nothing more pathetic than", "hatred"), ("what is the point of", "dehumanisation"),
    ("what's the point of", "dehumanisation"), ("whats the point of", "dehumanisation"),
    ("the world does not need", "dehumanisation"), ("we do not need any more", "exclusion"),
    ("disgusts me more than", "hatred"), ("disgust me more than", "hatred"), ("i hate more than", "hatred"),
    ("nothing i hate more than", "hatred"), ("trust a", "derogation"), ("trust an", "derogation"),
    ("scum like", "dehumanisation"), ("vermin like", "dehumanisation"), ("animals like", "dehumanisation"),
    ("filth like", "dehumanisation"), ("parasites like", "dehumanisation"))}
BETTER_WITHOUT = frozenset(_phrase_words(p) for p in (
    "better without", "better off without", "nicer without", "safer without", "cleaner without",
    "happier without", "better place without", "a better place without", "rid of", "free of"))
# Phrases that attack the group named right after them, indexed by their last word.
_BEFORE_BY_LAST: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _phrase, _category in list(BEFORE_GROUP.items()) + [(p, "exclusion") for p in BETTER_WITHOUT]:
    _BEFORE_BY_LAST.setdefault(_phrase[-1], []).append((_phrase, _category))


def _phrase_before(words: list[str], s: int) -> tuple[int, str] | None:
    """A phrase of ``_BEFORE_BY_LAST`` ending just before position ``s`` (or one word earlier: "the")."""
    for end in (s, s - 1):
        if end <= 0:
            continue
        for phrase, category in _BEFORE_BY_LAST.get(words[end - 1], ()):
            start = end - len(phrase)
            if start >= 0 and tuple(words[start:end]) == phrase:
                return start, category
    return None


SLUR_MENTION_BEFORE = frozenset("word words term terms slur slurs phrase expression".split())
PROPER_FOLLOWERS = frozenset("society trust association charity foundation fund road street lane".split())


@dataclass
class Mention:
    """A group named (or referred to) at tokens ``[start, end)``."""

    start: int
    end: int
    targets: tuple[Target, ...]
    kind: str  # noun | person | other | place | slur | pronoun
    possessive: bool = False
    after_preposition: bool = False
    individual: bool = False
    severity: str = ""

    @property
    def personal(self) -> bool:
        return self.kind in ("noun", "person", "slur", "pronoun")


@dataclass
class Finding:
    """One thing the rules found, with the tokens it covers."""

    category: str
    function: str
    targets: tuple[Target, ...]
    start: int  # token indexes into the comment's tokens
    end: int
    severity: str = ""
    suppressed_by: str = ""

    @property
    def urgent(self) -> bool:
        return self.category == "threat"


@dataclass
class Sentence:
    tokens: list[Token]
    offset: int  # index of the first token in the comment
    words: list[str] = field(default_factory=list)
    cues: list[dict[str, int]] = field(default_factory=list)
    clauses: list[int] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    first_personal_end: int = 1 << 30
    present: set[str] = field(default_factory=set)  # the classes tagged anywhere in the sentence
    consequence: bool | None = None
    denied: bool = False  # a predicate about a group was denied ("X are not criminals")

    def has(self, i: int, cls: str) -> int | None:
        """End of the ``cls`` phrase starting at ``i``, if one does."""
        if 0 <= i < len(self.cues):
            return self.cues[i].get(cls)
        return None

    def find(self, cls: str, start: int, end: int) -> int | None:
        """First position in ``[start, end)`` where a ``cls`` phrase starts."""
        for i in range(max(start, 0), min(end, len(self.cues))):
            if cls in self.cues[i]:
                return i
        return None

    def clause_start(self, i: int) -> int:
        return self.starts[i]

    def clause_end(self, i: int) -> int:
        return self.ends[i]


_EMPTY: dict[str, int] = {}


def _tag(sentence: Sentence) -> None:
    words = sentence.words
    n = len(words)
    cues: list[dict[str, int]] = []
    present: set[str] = set()
    for i, word in enumerate(words):
        found: dict[str, int] | None = None
        if i + 1 < n:
            for phrase, cls in LONGER_PHRASES.get((word, words[i + 1]), ()):
                if found is not None and cls in found:
                    continue
                length = len(phrase)
                if length == 2 or tuple(words[i:i + length]) == phrase:
                    if found is None:
                        found = {}
                    found[cls] = i + length
        for cls in SINGLE_PHRASES.get(word, ()):
            if found is None:
                found = {}
            found.setdefault(cls, i + 1)
        if found is not None:
            present.update(found)
            cues.append(found)
        else:
            cues.append(_EMPTY)
    sentence.cues = cues
    sentence.present = present
    # Where each token's clause starts and ends, for the windows the rules use.
    clauses = sentence.clauses
    starts = [0] * n
    for i in range(1, n):
        starts[i] = starts[i - 1] if clauses[i] == clauses[i - 1] else i
    ends = [n] * n
    for i in range(n - 2, -1, -1):
        ends[i] = ends[i + 1] if clauses[i] == clauses[i + 1] else i + 1
    sentence.starts, sentence.ends = starts, ends


def _match(table, words: list[str], i: int):
    for phrase, value in table.get(words[i], ()):
        if tuple(words[i:i + len(phrase)]) == phrase:
            return len(phrase), value
    return 0, None


def _find_mentions(sentence: Sentence, extra: dict[str, Target]) -> None:
    words, tokens = sentence.words, sentence.tokens
    mentions: list[Mention] = []
    i = 0
    n = len(words)
    while i < n:
        word = words[i]
        if word not in MENTION_FIRST_WORDS and word not in extra:
            i += 1
            continue
        length, slur = _match(SLUR_PHRASES, words, i)
        if slur is not None and word not in lx.WEAK_SLURS:
            mentions.append(Mention(i, i + length, (slur.target,), "slur", severity=slur.severity))
            i += length
            continue
        if word in extra:
            mentions.append(Mention(i, i + 1, (extra[word],), "noun"))
            i += 1
            continue
        adj_length, adjective = _match(ADJ_PHRASES, words, i)
        noun_length, noun = _match(NOUN_PHRASES, words, i)
        place_length, place = _match(PLACE_PHRASES, words, i)
        if adjective is not None:
            after = i + adj_length
            # Stacked adjectives: "black Muslim women".
            targets = [adjective]
            while after < n:
                more_length, more = _match(ADJ_PHRASES, words, after)
                if more is None:
                    break
                targets.append(more)
                after += more_length
            if after < n and (words[after] in lx.DEHUMANISING or words[after] in lx.NEGATIVE_ATTRIBUTES) \
                    and words[after].endswith("s"):
                # "trans freaks", "Muslim scum": the insult names the people; the group is the adjective.
                mentions.append(Mention(i, after, tuple(dict.fromkeys(targets)), "person"))
                i = after
                continue
            if after < n and (words[after] in lx.PERSON_NOUNS or _match(NOUN_PHRASES, words, after)[1]):
                end = after + 1
                noun_after_length, noun_after = _match(NOUN_PHRASES, words, after)
                if noun_after is not None:
                    end = after + noun_after_length
                    targets.append(noun_after)
                mentions.append(Mention(i, end, tuple(dict.fromkeys(targets)), "person"))
                i = end
                continue
        if slur is not None:  # a weak slur: a target only as a plural noun
            if word.endswith("s"):
                mentions.append(Mention(i, i + length, (slur.target,), "noun", severity="low"))
            i += length
            continue
        if noun is not None and (noun_length > 1 or _noun_reading_ok(sentence, i)):
            end = i + noun_length
            if words[i] == "the" and end < n and words[end] not in FOLLOW_OK and sentence.clauses[end] == sentence.clauses[i]:
                noun = None  # "the disabled parking bays"
            else:
                mentions.append(Mention(i, end, (noun,), "noun"))
                i = end
                continue
        if place is not None:
            mentions.append(Mention(i, i + place_length, (place,), "place"))
            i += place_length
            continue
        if adjective is not None:
            mentions.append(Mention(i, i + adj_length, (adjective,), "other"))
            i += adj_length
            continue
        i += 1
    for mention in mentions:
        last = tokens[mention.end - 1]
        mention.possessive = last.possessive
        before = mention.start - 1
        if before >= 2 and words[before] in ("is", "are") and words[before - 1] in ("who", "that") \
                and words[before - 2] in RELATIVE_SUBJECTS and mention.kind in ("other", "noun", "person"):
            mention.start = before - 2  # "anyone who is gay (should ...)": the whole phrase is the subject
            mention.kind = "person"
        elif before >= 1 and sentence.has(before, "REPORT") is None and (words[before - 1] in RELATIVES or (before >= 2 and words[before - 2] in RELATIVES
                                                                and words[before] in ("the", "a", "an", "our", "some"))):
            mention.after_preposition = True  # the object of a relative clause: "people who abuse disabled people"
        elif before >= 0 and words[before] in PREPOSITIONS:
            quantified = before >= 1 and words[before] == "of" and words[before - 1] in QUANTIFIERS
            mention.after_preposition = not quantified and words[before] not in ("like", "as")
        if mention.kind == "noun" and words[mention.end - 1] in SINGULAR_NOUNS and before >= 0 and (
                words[before] in DETERMINERS_INDIVIDUAL or (
                    words[before] in ("a", "an") and mention.end < len(words) and words[mention.end] in PAST)):
            mention.individual = True  # "the Muslim next door", "a woman was rude to me"
        if mention.kind == "person" and before >= 0 and words[before] in DETERMINERS_INDIVIDUAL \
                and words[mention.end - 1] in ("man", "woman", "boy", "girl", "bloke", "guy", "family",
                                                "neighbour", "neighbor", "lad", "kid", "child", "person"):
            mention.individual = True
    sentence.mentions = mentions


def _noun_reading_ok(sentence: Sentence, i: int) -> bool:
    word = sentence.words[i]
    token = sentence.tokens[i]
    if word in lx.CAPITALISED_ONLY and not token.capitalised:
        return False
    if word in lx.GENERIC_ONLY and i > 0 and sentence.words[i - 1] in (
            "the", "these", "those", "this", "that", "two", "three", "four", "our", "my", "some", "few"):
        return False
    return True


# -- the rules -------------------------------------------------------------------

def _negated_between(sentence: Sentence, start: int, end: int) -> bool:
    """A denial in ``[start, end)`` that is not an intensifier ("nothing but")."""
    i = max(start, 0)
    while i < end:
        intens = sentence.has(i, "INTENS")
        if intens:
            i = intens
            continue
        denial = sentence.has(i, "NOT")
        if denial is not None and denial <= end:
            return True
        i += 1
    return False


def _blocked(sentence: Sentence, start: int, end: int, mentions_at: dict[int, Mention]) -> bool:
    words = sentence.words
    i = start
    while i < end:
        intens = sentence.has(i, "INTENS")
        if intens:
            i = intens
            continue
        if words[i] in lx.LINK_BLOCKERS or i in mentions_at:
            return True
        i += 1
    return False


def _has_link(sentence: Sentence, start: int, end: int) -> bool:
    return start == end or sentence.find("LINK", start, end) is not None or \
        sentence.find("FUTURE", start, end) is not None or sentence.find("NORM", start, end) is not None


def _predicate_classes(sentence: Sentence, k: int) -> list[tuple[str, int]]:
    cues = sentence.cues[k]
    return [(cls, cues[cls]) for cls in ("DEH", "NEG", "POS", "EXCLP") if cls in cues]


def _predicate_ok(sentence: Sentence, k: int, end: int, gap: int) -> bool:
    words = sentence.words
    word = words[k]
    if end < len(words) and words[end] in PREDICATE_FOLLOW_BLOCK.get(words[end - 1], ()):
        return False
    if k > 0 and words[k - 1] in PREDICATE_PRECEDE_BLOCK and gap > 0 and not (
            words[k - 1] == "of" and k > 1 and words[k - 2] in COLLECTIVES):
        return False
    if word == "things" and (k == 0 or words[k - 1] not in ("are", "just", "mere")):
        return False
    if word == "capable" and end + 1 < len(words) and words[end] == "of" and words[end + 1].endswith("ing"):
        return False  # "not capable of climbing those stairs" is about the stairs
    return True


_PREDICATE_CLASSES = ("DEH", "NEG", "POS", "EXCLP")


def _copula_rule(sentence: Sentence, subjects: list[Mention], mentions_at, findings: list[Finding]) -> None:
    words = sentence.words
    n = len(words)
    cues = sentence.cues
    predicates = [i for i in range(n) if cues[i] and any(cls in cues[i] for cls in _PREDICATE_CLASSES)]
    for mention in subjects:
        if mention.possessive or mention.after_preposition or mention.individual:
            continue
        clause_end = sentence.clause_end(mention.end - 1)
        denied_before = (mention.start > 0 and words[mention.start - 1] == "not" and not (
            mention.start > 1 and words[mention.start - 2] in AUXILIARIES)) or (  # "not X", not "why can't X"
            mention.start > 1 and words[mention.start - 2] == "not" and words[mention.start - 1] in QUANTIFIERS)
        limit = min(n, clause_end, mention.end + 10)
        at = bisect_left(predicates, mention.end)
        while at < len(predicates) and predicates[at] < limit:
            k = predicates[at]
            at += 1
            classes = _predicate_classes(sentence, k)
            inverted = mention.start > 0 and words[mention.start - 1] in ("are", "is", "were", "was", "do", "does",
                                                                          "did", "why", "aren't")
            self_linked = any(cls == "EXCLP" for cls, _ in classes) and k - mention.end <= 4
            if _blocked(sentence, mention.end, k, mentions_at) or not (
                    inverted or self_linked or _has_link(sentence, mention.end, k)):
                break
            # "Are X even human?": a question with "even" denies what it asks about.
            negated = denied_before or _negated_between(sentence, mention.end, k) or (
                inverted and "even" in words[mention.end:k])
            found = None
            for cls, end in classes:
                if not _predicate_ok(sentence, k, end, k - mention.end):
                    continue
                predicate = " ".join(words[k:end])
                if cls == "DEH" and not negated:
                    found = ("dehumanisation", "dehumanisation", end)
                elif cls == "NEG" and not negated:
                    found = ("derogation", "negative attribute", end)
                elif cls == "POS" and negated:
                    if predicate in NORMATIVE_ONLY and sentence.find("NORM", mention.end, k) is None:
                        continue
                    if predicate in HUMANITY:
                        found = ("dehumanisation", "negated positive", end)
                    elif predicate in BELONGING:
                        found = ("exclusion", "negated positive", end)
                    else:
                        found = ("derogation", "negated positive", end)
                elif cls == "EXCLP" and not (negated and sentence.find("NOT", k, end) is None):
                    found = ("exclusion", "exclusion", end)
                if found:
                    break
            if not found and not negated and all(cls in ("POS", "EXCLP") for cls, _ in classes):
                continue  # "human garbage": an affirmed positive word, read on
            if found or any(cls in ("DEH", "NEG", "POS") for cls, _ in classes):
                if negated and not found:
                    sentence.denied = True
                    findings.append(Finding("denied", "denied", mention.targets, k, classes[0][1],
                                            suppressed_by="denied"))
                if found:
                    findings.append(Finding(found[0], found[1], mention.targets, mention.start, found[2]))
                break
        # A predicate right before the group: "filthy immigrants", "dirty little gypsies".
        before = mention.start - 1
        if before >= 0 and words[before] in ("little", "bloody", "fucking", "effing", "stinking", "dirty") \
                and before >= 1 and (sentence.has(before - 1, "DEH") or sentence.has(before - 1, "NEG")):
            before -= 1
        # "She's a vile woman" insults one woman, not women: a singular word for a man or a
        # woman is an individual here (a Muslim, a Jew, named for their faith, still counts).
        if before >= 0 and mention.kind in ("noun", "person", "slur") and not (
                words[mention.end - 1] in SINGULAR_SEX_NOUNS and mention.kind != "slur"):
            for cls in ("DEH", "NEG"):
                end = sentence.has(before, cls)
                if end is not None and end - before == 1 and words[before] not in ADJ_BEFORE_EXCLUDED \
                        and not words[before].endswith("s") and not (before > 0 and sentence.has(before - 1, "NOT")) \
                        and not (before > 0 and words[before - 1] in PREDICATE_PRECEDE_BLOCK):
                    category = "dehumanisation" if cls == "DEH" else "derogation"
                    findings.append(Finding(category, "negative attribute", mention.targets, before, mention.end))
                    break


def _hatred_rule(sentence: Sentence, mentions_at, pronoun_targets, findings: list[Finding]) -> None:
    words = sentence.words
    n = len(words)
    for k in range(n):
        end = sentence.has(k, "HATE")
        if end is None:
            continue
        clause_start = sentence.clause_start(k)
        before = len(findings)
        _hatred_at(sentence, k, end, clause_start, mentions_at, pronoun_targets, findings)
        if len(findings) == before and sentence.mentions:
            # Hate named but not aimed at the group here ("hate crime against X", "people who
            # hate X", "I don't hate X"): not an attack, and not for a model to score as one.
            findings.append(Finding("denied", "denied", (), k, end, suppressed_by="denied"))


def _hatred_at(sentence: Sentence, k: int, end: int, clause_start: int, mentions_at, pronoun_targets,
               findings: list[Finding]) -> None:
    words = sentence.words
    n = len(words)
    if end < n and words[end] in HATE_NOUNS:
        return
    if _negated_between(sentence, max(clause_start, k - 3), k):
        return
    # "I hate X", "hate X", and comparisons that are their own subject ("(there is) nothing worse than X").
    subject_ok = k == clause_start or words[k] in ("nothing", "nobody", "no") or \
        sentence.find("FIRST", max(clause_start, k - 5), k) is not None
    if not subject_ok:
        return
    clause_end = sentence.clause_end(k)
    for j in range(end, min(clause_end, end + 8)):
        mention = mentions_at.get(j)
        if mention is None and (words[j] in HATE_OBJECT_BLOCKERS or (
                words[j].endswith("ing") and words[j] not in ("seeing", "having", "being"))) and words[j] != "the":
            break
        if mention is None and pronoun_targets and sentence.has(j, "GPRON"):
            mention = Mention(j, sentence.has(j, "GPRON"), pronoun_targets, "pronoun")
        if mention is not None:
            if not mention.personal or mention.possessive:
                break
            after = mention.end
            if "want" in words[k:end] and after < n and words[after] == "to" and after + 1 < n \
                    and words[after + 1] not in ("come", "live", "move", "settle", "stay", "be"):
                break
            # "I won't have them spoken about like that": a refusal to let them be harmed.
            if "have" in words[k:end] and after < n and (words[after].endswith("ed") or words[after] in PROTECTED_AS):
                break
            # "I would never let X in": letting in, not "never let X be abused".
            if "let" in words[k:end] and not (after < n and words[after] in LET_IN):
                break
            findings.append(Finding("hatred", "expressed hatred", mention.targets, k, mention.end))
            break


SICK_WORDS = frozenset("sick ill puke vomit retch gag cringe shudder heave nauseous nauseated".split())


def _disgust_rule(sentence: Sentence, subjects: list[Mention], mentions_at, findings: list[Finding]) -> None:
    words = sentence.words
    for mention in subjects:
        if mention.possessive or mention.after_preposition:
            continue
        window = words[mention.end:mention.end + 7]
        if "me" in window[:3] and any(w in SICK_WORDS for w in window) and \
                not _negated_between(sentence, mention.end, mention.end + 3):
            findings.append(Finding("hatred", "expressed hatred", mention.targets, mention.start,
                                    min(len(words), mention.end + 7)))
            continue
        for k in range(mention.end, min(len(sentence.words), mention.end + 4)):
            end = sentence.has(k, "DISGUST")
            if end is not None:
                if not _blocked(sentence, mention.end, k, mentions_at) and \
                        not _negated_between(sentence, mention.end, k):
                    findings.append(Finding("hatred", "expressed hatred", mention.targets, mention.start, end))
                break


def _frame_before(sentence: Sentence, k: int, window: int = 8) -> str | None:
    """The modal frame governing a verb at ``k``: direct, normative, imperative; or None."""
    start = max(sentence.clause_start(k) - 3, k - window, 0)
    # A denial between the frame and the verb cancels it ("nobody should hurt", "should never be").
    for i in range(k - 1, start - 1, -1):
        future = sentence.has(i, "FUTURE")
        if future is not None:
            if sentence.find("FIRST", max(0, i - 5), i + 1) is not None or \
                    any(sentence.words[j] in ("i", "we") for j in range(max(0, i - 5), i)) or \
                    sentence.first_personal_end <= i:
                return None if _denied_frame(sentence, i, future, k) else "direct"
        norm = sentence.has(i, "NORM")
        if norm is not None:
            return None if _denied_frame(sentence, i, norm, k) else "normative"
    clause_start = sentence.clause_start(k)
    openers = all(sentence.words[i] in IMPERATIVE_SPLIT for i in range(clause_start, k))
    if openers:
        return "imperative"
    return None


def _denied_frame(sentence: Sentence, start: int, end: int, k: int) -> bool:
    """A denial just before a frame ("nobody should") or between it and the verb ("will never")."""
    if _negated_between(sentence, end, k):
        return True
    before = range(max(0, start - 2), start)
    return any(sentence.has(i, "NOT") is not None and sentence.has(i, "NOT") <= start for i in before)


def _threat_rule(sentence: Sentence, mentions_at, pronoun_targets, findings: list[Finding]) -> None:
    words = sentence.words
    n = len(words)
    for k in range(n):
        end = sentence.has(k, "VIOL")
        if end is None:
            continue
        phrase = " ".join(words[k:end])
        if k > 0 and words[k - 1] in NOUN_BEFORE and words[k] in VIOLENT_NOUNS:
            continue  # a noun: "after the attack", "the killing of"
        after = end
        while after < n and words[after] in ("the", "a", "an", "this", "that", "off", "these", "those", "our"):
            after += 1
        if after < n and words[after] in IDIOM_OBJECTS:
            continue  # "kill the plan", "shoot a documentary", "smash the target", "kill it at the show"
        weak = sentence.has(k, "WEAKV") is not None
        if phrase == "in hospital" and "put" in words[max(0, k - 5):k]:
            weak = False
        if any(tuple(words[i:i + 3]) == ("the", "only", "good") for i in range(max(0, k - 8), k)):
            weak = False
        clause_start, clause_end = sentence.clause_start(k), sentence.clause_end(max(k, end - 1))
        target = _clause_target(sentence, clause_start, clause_end, k, weak, pronoun_targets)
        if target is None:
            continue
        if phrase == "death" and end < n and words[end] == "to":
            frame = "incitement"
        else:
            frame = _frame_before(sentence, k)
            if frame is None and phrase in ("die", "dies", "dead") and k > 0:
                frame = _frame_before(sentence, k, window=12)
        if frame is None:
            continue
        function = {"direct": "direct threat", "normative": "normative threat",
                    "imperative": "incitement", "incitement": "incitement"}[frame]
        findings.append(Finding("threat", function, target.targets, min(k, target.start), max(end, target.end)))
        return
    # A weapon and a plan in a sentence naming a group: "outside the mosque with a knife".
    weapon = sentence.find("WEAPON", 0, n)
    if weapon is not None and sentence.mentions:
        planned = sentence.find("NORM", 0, n) is not None or (
            sentence.find("FUTURE", 0, n) is not None and sentence.find("FIRST", 0, n) is not None) or any(
            words[sentence.clause_start(i)] in ("bring", "grab", "get") for i in range(n))
        if planned and not _negated_between(sentence, 0, weapon):
            mention = sentence.mentions[0]
            findings.append(Finding("threat", "direct threat", mention.targets, mention.start,
                                    sentence.has(weapon, "WEAPON")))


def _clause_target(sentence: Sentence, start: int, end: int, k: int, weak: bool, pronoun_targets) -> Mention | None:
    candidates = [m for m in sentence.mentions if start <= m.start < end and (
        m.personal or m.kind == "place" or not weak)]
    if candidates:
        return min(candidates, key=lambda m: abs(m.start - k))
    for i in range(start, end):
        if sentence.has(i, "GPRON") or sentence.words[i] in ("him", "her", "them", "they"):
            targets = pronoun_targets or tuple(t for m in sentence.mentions if m.start < i for t in m.targets)
            if targets:
                return Mention(i, i + 1, tuple(dict.fromkeys(targets)), "pronoun")
    return None


def _exclusion_rule(sentence: Sentence, subjects: list[Mention], mentions_at, pronoun_targets,
                    findings: list[Finding]) -> None:
    words = sentence.words
    n = len(words)
    for k in range(n):
        end = sentence.has(k, "EXCLA")
        if end is None:
            continue
        stop = any(words[i] in ("stop", "against", "oppose", "opposed", "wrong") for i in range(max(0, k - 4), k))
        # "X should be deported": the group before, a modal in between.
        for mention in subjects:
            if mention.end <= k and k - mention.end <= 8 and not mention.possessive and not mention.after_preposition:
                gap = range(mention.end, k)
                modal = any(sentence.has(i, "NORM") or sentence.has(i, "FUTURE") for i in gap)
                if modal and not stop and not _negated_between(sentence, mention.end, k) and \
                        not _blocked(sentence, mention.end, k, mentions_at):
                    findings.append(Finding("exclusion", "exclusion", mention.targets, mention.start, end))
                    return
        # "deport them all", "we should ban X": the group after.
        for j in range(end, min(n, end + 4)):
            mention = mentions_at.get(j)
            if mention is None and pronoun_targets and sentence.has(j, "GPRON"):
                mention = Mention(j, sentence.has(j, "GPRON"), pronoun_targets, "pronoun")
            if mention is None or not mention.personal:
                continue
            frame = _frame_before(sentence, k)
            if frame and not stop:
                findings.append(Finding("exclusion", "exclusion", mention.targets, k, mention.end))
                return
    # "no (more) X (in our town)", "X out!", "get these X off the common".
    for mention in sentence.mentions:
        if not mention.personal:
            continue
        s, e = mention.start, mention.end
        clause_start, clause_end = sentence.clause_start(s), sentence.clause_end(s)
        before = words[s - 1] if s > 0 else ""
        before2 = words[s - 2] if s > 1 else ""
        found = _phrase_before(words, s)
        if found:
            start, category = found
            findings.append(Finding(category, category, mention.targets, start, e))
            return
        if (before == "no" and s - 1 == clause_start) or (before == "more" and before2 == "no" and s - 2 == clause_start):
            if e == clause_end or words[e] in ("in", "on", "here", "near", "allowed", "wanted", "welcome", "please",
                                                "around", "round", "at", "anywhere", "thanks", "mosques"):
                findings.append(Finding("exclusion", "exclusion", mention.targets, s - 1, e))
                return
            # "No X should (ever) be allowed in": a modal, then permission, not "no X should be left homeless".
            if words[e] in MODALS and any(words[j] in PERMISSION for j in range(e + 1, min(clause_end, e + 5))) \
                    and not _negated_between(sentence, e, min(clause_end, e + 5)):
                findings.append(Finding("exclusion", "exclusion", mention.targets, s - 1, e))
                return
        if e < n and words[e] == "out" and s <= clause_start + 1 and (e + 1 == clause_end or words[e + 1] in ("of", "now", "out")):
            findings.append(Finding("exclusion", "exclusion", mention.targets, s, e + 1))
            return
        for v in range(max(clause_start, s - 3), s):
            if words[v] in PARTICLE_VERBS and any(words[p] in PARTICLES for p in range(e, min(clause_end, e + 3))):
                if _frame_before(sentence, v) and not _negated_between(sentence, max(clause_start, v - 3), v):
                    findings.append(Finding("exclusion", "exclusion", mention.targets, v, e))
                    return


def _implicit_rule(sentence: Sentence, previous: Sentence | None, findings: list[Finding]) -> None:
    words = sentence.words
    n = len(words)
    personal = [m for m in sentence.mentions if m.personal and not m.possessive]
    for mention in sentence.mentions:
        s = mention.start
        if not mention.personal and s >= 1 and sentence.has(s - 1, "SWAMP") and any(
                sentence.has(i, "NEG") or sentence.has(i, "DEH") for i in range(mention.end, len(words))):
            findings.append(Finding("derogation", "implicit derogation", mention.targets, s - 1, len(words)))
            return
        if s >= 1 and words[s - 1] == "typical" and not mention.personal:
            findings.append(Finding("derogation", "implicit derogation", mention.targets, s - 1, mention.end))
            return
    for mention in personal:
        s = mention.start
        # "Typical Gypsy behaviour", "typical of a woman".
        if (s >= 1 and words[s - 1] == "typical") or (s >= 2 and words[s - 2] == "typical" and words[s - 1] in (
                "of", "for")) or (s >= 3 and words[s - 3] == "typical" and words[s - 2] in ("of", "for")):
            findings.append(Finding("derogation", "implicit derogation", mention.targets, max(0, s - 3), mention.end))
            return
        for back in range(max(0, s - 4), s):
            swamp_end = sentence.has(back, "SWAMP")
            if swamp_end is not None and swamp_end >= s - 1:
                strong = tuple(words[back:swamp_end]) in STRONG_SWAMP
                if strong or _has_consequence(sentence, exclude=range(back, swamp_end)):
                    findings.append(Finding("derogation", "implicit derogation", mention.targets, back, mention.end))
                    return
    if sentence.consequence is None:
        sentence.consequence = _has_consequence(sentence, exclude=range(0))
    if personal and sentence.consequence:
        mention = personal[0]
        findings.append(Finding("derogation", "implicit derogation", mention.targets, mention.start, mention.end))
        return
    # "I saw some X at the park. Vile creatures.": a verbless insult after a sentence naming a group.
    if previous is not None and not sentence.mentions and n <= 4 and words[-1] in STRONG_FRAGMENT \
            and (sentence.has(n - 1, "DEH") or sentence.has(n - 1, "NEG")) \
            and not any(sentence.has(i, "LINK") or sentence.has(i, "GPRON") or sentence.has(i, "NOT") for i in range(n)):
        personal_before = [m for m in previous.mentions if m.personal and not m.possessive]
        if personal_before:
            mention = personal_before[0]
            findings.append(Finding("dehumanisation" if sentence.has(n - 1, "DEH") else "derogation",
                                    "implicit derogation", mention.targets, -(len(previous.words) - mention.start), n))
            return
    # "Another mosque? Great, more breeding grounds for bombers."
    if previous is not None and not sentence.mentions and len(previous.words) <= 5 and previous.mentions \
            and not any(sentence.has(i, "GPRON") for i in range(n)):
        for k in range(n):
            if words[k] in STRONG_FRAGMENT and (sentence.has(k, "NEG") or sentence.has(k, "DEH") or sentence.has(k, "CONSEQ")):
                mention = previous.mentions[0]
                findings.append(Finding("derogation", "implicit derogation", mention.targets,
                                        -(len(previous.words) - mention.start), k + 1))
                return


def _has_consequence(sentence: Sentence, exclude: range) -> bool:
    words = sentence.words
    sarcasm = 0
    other = False
    for i in range(len(words)):
        if i in exclude:
            continue
        end = sentence.has(i, "CONSEQ")
        if end is None:
            continue
        if tuple(words[i:end]) in SARCASM:
            sarcasm += 1
        else:
            other = True
    if other or sarcasm > 1:
        return True
    if sarcasm:
        return any(sentence.has(i, "NOT") or sentence.has(i, "NEG") for i in range(len(words)))
    return False


def _slur_rule(sentence: Sentence, findings: list[Finding]) -> None:
    words, tokens = sentence.words, sentence.tokens
    for mention in sentence.mentions:
        if mention.kind != "slur" or mention.severity not in ("high", "medium"):
            continue
        s, e = mention.start, mention.end
        word = words[s]
        sense = lx.HOMONYM_FORMS.get(word)
        if sense:
            context = lx.HOMONYM_CONTEXT.get(sense, frozenset())
            near = set(words[max(0, s - 8):s]) | set(words[e:e + 8])
            verb_sense = sense in ("retard", "cripple") and s > 0 and words[s - 1] in VERB_SENSE_BEFORE
            cigarette = sense == "fag" and words[max(0, s - 2):s] in (["for", "a"], ["a", "quick"], ["have", "a"])
            if verb_sense or cigarette or (near & (context - VERB_SENSE_BEFORE)):
                findings.append(Finding("slur", "slur", mention.targets, s, e, mention.severity, "homonym"))
                continue
        if s > 0 and words[max(0, s - 2):s] and any(w in SLUR_MENTION_BEFORE for w in words[max(0, s - 2):s]):
            findings.append(Finding("slur", "slur", mention.targets, s, e, mention.severity, "mention"))
            continue  # the word itself discussed: "the word tranny is offensive"
        if tokens[s].capitalised and e < len(words) and (tokens[e].capitalised or words[e] in PROPER_FOLLOWERS) \
                and s > 0:
            findings.append(Finding("slur", "slur", mention.targets, s, e, mention.severity, "proper name"))
            continue  # a proper name: "the Spastics Society"
        if any(w in RECLAIM_BEFORE for w in words[max(0, s - 5):s]) and \
                any(w in ("i", "we", "us", "our", "my", "me", "myself", "ourselves", "as", "proud")
                    for w in words[max(0, s - 5):s]):
            if not any(sentence.has(i, "DEH") or sentence.has(i, "NEG") or sentence.has(i, "VIOL")
                       for i in range(len(words))):
                findings.append(Finding("slur", "slur", mention.targets, s, e, mention.severity, "reclaimed"))
                continue  # reclaimed self-description: "as a queer woman", "we dykes"
        findings.append(Finding("slur", "slur", mention.targets, s, e, severity=mention.severity))


# -- counter-speech -------------------------------------------------------------------

def _counter_frame_before(sentence: Sentence, k: int) -> bool:
    words = sentence.words
    for i in range(0, min(k, len(words))):
        if sentence.has(i, "REPORT") is not None and words[i] != "like" and any(
                sentence.has(j, "NOT") is not None for j in range(max(0, i - 3), i)) and "you" not in words[max(0, i - 2):i]:
            return True  # "I would never say ...", "I don't think ..."
        for frame in COUNTER_FRAMES.get(words[i], ()):
            if tuple(words[i:i + len(frame)]) == frame:
                return True
    return False


def _reported(sentence: Sentence, k: int) -> bool:
    """A reporting word before ``k`` in this sentence, not in the writer's own voice ("I think")."""
    words = sentence.words
    for i in range(k - 1, -1, -1):
        if sentence.has(i, "REPORT") is not None and words[i] not in ("like",):
            voice = words[max(0, i - 3):i]
            own = ("i" in voice or "we" in voice) and not any(w in voice for w in ("if", "heard", "when", "not"))
            return not own
    return False


def suppress_counter_speech(sentences: list[Sentence], findings: list[tuple[int, Finding]]) -> None:
    """Mark findings that the comment quotes or reports in order to reject them."""
    if not findings:
        return
    hate_tokens = {(si, i) for si, f in findings if not f.suppressed_by for i in range(max(f.start, 0), f.end)}
    condemned = False
    for si, sentence in enumerate(sentences):
        for i in range(len(sentence.words)):
            if (si, i) in hate_tokens:
                continue
            if sentence.has(i, "COND") is not None:
                condemned = True
                break
        if condemned:
            break
    # "Statements like 'X are scum' are true": quoting in order to agree is no counter-speech.
    if not condemned and any("ENDORSE" in sentence.present for sentence in sentences):
        return
    for si, finding in findings:
        if finding.suppressed_by:
            continue
        sentence = sentences[si]
        start = max(finding.start, 0)
        tokens = sentence.tokens[start:finding.end]
        if tokens and tokens[0].quoted and (condemned or _reported(sentence, start)):
            finding.suppressed_by = "quotation"
        elif _counter_frame_before(sentence, start):
            finding.suppressed_by = "counter frame"
        elif condemned and (_reported(sentence, start) or _reported_after(sentence, finding.end)):
            finding.suppressed_by = "reported speech"
        elif condemned and si + 1 < len(sentences) and _reports_back(sentences[si + 1]):
            finding.suppressed_by = "reported speech"


def _reported_after(sentence: Sentence, end: int) -> bool:
    """A source named after the words: "X are vermin, according to the far right"."""
    return any(sentence.words[i] in ("according", "apparently", "supposedly", "allegedly") or (
        sentence.has(i, "REPORT") is not None and i + 1 < len(sentence.words) and sentence.words[i - 1] in (
            "he", "she", "they", "someone", "somebody", "people", "some", "bigots", "racists"))
        for i in range(end, min(len(sentence.words), end + 6)))


def _reports_back(sentence: Sentence) -> bool:
    """The next sentence reports what came before: "Whoever says that ...", "Saying this is vile"."""
    words = sentence.words[:6]
    return any(sentence.has(i, "REPORT") for i in range(len(words))) and \
        any(w in ("that", "this", "it", "such", "things") for w in words)


# -- putting it together ----------------------------------------------------------------

MAX_SENTENCE = 80
MAX_FINDINGS = 20
# A comment naming this many groups is not conversation; the rest is not read.
MAX_MENTIONS = 200


def split_sentences(tokens: list[Token]) -> list[Sentence]:
    """Tokens by sentence; a "sentence" longer than ``MAX_SENTENCE`` tokens is cut (it is not language)."""
    sentences: list[Sentence] = []
    current: list[Token] = []
    offset = 0
    for index, token in enumerate(tokens):
        if current and (token.sentence != current[-1].sentence or len(current) >= MAX_SENTENCE):
            sentences.append(Sentence(current, offset))
            current, offset = [], index
        current.append(token)
    if current:
        sentences.append(Sentence(current, offset))
    return sentences


def analyse_tokens(tokens: list[Token], extra: dict[str, Target]) -> tuple[list[Sentence], list[tuple[int, Finding]]]:
    """Every finding in the comment, with the sentence index it belongs to."""
    sentences = split_sentences(tokens)
    found: list[tuple[int, Finding]] = []
    recent: list[tuple[int, tuple[Target, ...]]] = []  # (sentence index, targets) of recent mentions
    previous: Sentence | None = None
    mentioned = 0
    for si, sentence in enumerate(sentences):
        sentence.words = [t.word for t in sentence.tokens]
        sentence.clauses = [t.clause for t in sentence.tokens]
        _tag(sentence)
        _find_mentions(sentence, extra)
        mentions_at = {m.start: m for m in sentence.mentions}
        sentence.first_personal_end = min((m.end for m in sentence.mentions if m.personal), default=1 << 30)
        earlier = tuple(dict.fromkeys(t for index, targets in recent if si - index <= 2 for t in targets))
        subjects = [m for m in sentence.mentions if m.personal]
        # Pronouns that refer back to a group: a subject when nothing else is.
        pronoun_targets = earlier or tuple(dict.fromkeys(t for m in subjects for t in m.targets))
        for i in range(len(sentence.words)):
            end = sentence.has(i, "GPRON")
            if end is not None and pronoun_targets and i not in mentions_at and sentence.words[i] != "their":
                preceding = [m for m in sentence.mentions if m.personal and m.end <= i][-3:]
                targets = tuple(dict.fromkeys(t for m in preceding for t in m.targets)) or earlier
                if targets:
                    subjects.append(Mention(i, end, targets, "pronoun"))
        subjects.sort(key=lambda m: m.start)
        findings: list[Finding] = []
        present = sentence.present
        if sentence.mentions or subjects or pronoun_targets:
            if "VIOL" in present or "WEAPON" in present:
                _threat_rule(sentence, mentions_at, pronoun_targets, findings)
            if subjects and present & {"DEH", "NEG", "POS", "EXCLP"}:
                _copula_rule(sentence, subjects, mentions_at, findings)
            if "HATE" in present:
                _hatred_rule(sentence, mentions_at, pronoun_targets, findings)
            if subjects and ("DISGUST" in present or "me" in sentence.words):
                _disgust_rule(sentence, subjects, mentions_at, findings)
            _exclusion_rule(sentence, subjects, mentions_at, pronoun_targets, findings)
        if any(m.kind == "slur" for m in sentence.mentions):
            _slur_rule(sentence, findings)
        if not findings and not sentence.denied and (sentence.mentions or previous is not None and previous.mentions):
            _implicit_rule(sentence, previous, findings)
        found.extend((si, f) for f in findings)
        mentioned += len(sentence.mentions)
        if len(found) >= MAX_FINDINGS or mentioned >= MAX_MENTIONS:
            break  # enough to decide; hostile repetition should not cost more
        people = tuple(t for m in sentence.mentions if m.personal for t in m.targets)
        if people:
            recent.append((si, people))
        previous = sentence
    suppress_counter_speech(sentences, found)
    return sentences, found
