"""Write tests/data/hate_cases.tsv: our own functional cases for the hate analysis.

Each line is ``expected<TAB>function<TAB>comment as JSON``. The cases are written
here, by hand, as sentence frames per function (hateful ones and the hard
non-hateful contrasts) filled with many groups in several grammatical forms,
and spelling variants made by rules (swapped, dropped and leet letters, spaces
added and removed). None comes from a published test suite. Frames are varied
on purpose; when a frame fails, fix the mechanism, not the frame.

    .venv/bin/python scripts/make_hate_cases.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "hate_cases.tsv"

# (plural noun phrase, singular noun phrase, adjective)
GROUPS = [
    ("women", "a woman", "female"), ("trans people", "a trans person", "trans"),
    ("gay people", "a gay man", "gay"), ("black people", "a black person", "black"),
    ("disabled people", "a disabled person", "disabled"), ("Muslims", "a Muslim", "Muslim"),
    ("immigrants", "an immigrant", "immigrant"), ("refugees", "a refugee", "refugee"),
    ("Jews", "a Jew", "Jewish"), ("Travellers", "a Traveller", "Traveller"), ("Gypsies", "a Gypsy", "Gypsy"),
    ("asylum seekers", "an asylum seeker", "asylum seeker"), ("Romanians", "a Romanian", "Romanian"),
    ("lesbians", "a lesbian", "lesbian"), ("Hindus", "a Hindu", "Hindu"), ("Sikhs", "a Sikh", "Sikh"),
    ("Pakistanis", "a Pakistani", "Pakistani"), ("Somalis", "a Somali", "Somali"),
    ("Polish people", "a Polish man", "Polish"), ("deaf people", "a deaf person", "deaf"),
    ("autistic people", "an autistic person", "autistic"), ("bisexual people", "a bisexual woman", "bisexual"),
    ("transgender people", "a transgender woman", "transgender"), ("migrants", "a migrant", "migrant"),
    ("Asians", "an Asian man", "Asian"), ("Africans", "an African", "African"), ("Roma", "a Roma woman", "Roma"),
    ("foreigners", "a foreigner", "foreign"), ("Arabs", "an Arab", "Arab"),
    ("people in wheelchairs", "a wheelchair user", "wheelchair"), ("trans women", "a trans woman", "trans"),
    ("gay men", "a gay man", "gay"), ("Eastern Europeans", "an Eastern European", "Eastern European"),
]

HATEFUL = {
    "threat: direct": [
        "I'm going to kill every one of those {P} I can find.",
        "I will hurt any {P} who come near my house.",
        "We are going to burn out the {P} on our street tonight.",
        "I'm gonna stab the next {P} I see in the park.",
        "Me and my mates will beat up some {P} after the match.",
        "I'll shoot the {P} myself if the council won't act.",
        "I am going to murder those {P}, mark my words.",
        "I swear I will attack the {P} at the community centre.",
        "Just wait, I'm going to smash the windows of every {A} family on the estate.",
        "I can't wait to kick the heads in of the {P} on Station Road.",
        "We will find the {P} and make them pay.",
        "I promise I will torch the homes of the {P} by the canal.",
    ],
    "threat: normative": [
        "{P} should be shot.", "All {P} deserve to die.", "{P} need to be wiped out.",
        "Someone should kill all the {P}.", "{P} ought to be hanged from the lamp posts.",
        "The {P} on the estate should be burned alive.", "Let's gas the {P}.", "{P} must be exterminated.",
        "Hang all the {P}.", "Death to {P}!", "{P} should be lined up and shot.", "Kill all {P}.",
        "Somebody needs to put the {P} in the ground.", "The only good {A} is a dead one.",
        "{P} deserve a good beating.", "Burn the {P} out of their homes.",
    ],
    "dehumanisation": [
        "{P} are vermin.", "{P} are nothing but rats.", "{P} are animals.", "{P} are a plague on society.",
        "{P} are parasites.", "{P} are subhuman scum.", "{P} are like cockroaches.", "{P} are a disease.",
        "{P} are no better than pigs.", "Those {P} are filth.", "{P} are a cancer on this country.",
        "{P} are savages.", "{P} are just leeches.", "{P} are an infestation.", "{P} are monkeys.",
        "Honestly {P} are worse than animals.",
    ],
    "derogation: negative attribute": [
        "{P} are all criminals.", "{P} are so stupid.", "{P} are lazy and dishonest.", "All {P} are liars.",
        "{P} are dangerous.", "{P} are disgusting.", "{P} are useless.", "{P} are a burden on the taxpayer.",
        "{P} are thieves, every single one of them.", "{P} are always so aggressive.",
        "{P} are inferior to the rest of us.", "{P} are a drain on the NHS.", "{P} are pathetic.",
        "{P} are just scroungers.", "Filthy {P} everywhere you look.", "{P} are a menace to this town.",
    ],
    "hatred": [
        "I hate {P}.", "I really can't stand {P}.", "I despise {P}.", "{P} disgust me.",
        "I loathe {P} so much.", "{P} make me sick.", "Honestly, I detest {P}.", "We hate {P} round here.",
        "I'm sick of {P}.", "I absolutely hate all {P}.", "I have nothing but contempt for {P}.",
        "I can't bear {P}.", "{P} make my skin crawl.", "I would never hire {P}.",
    ],
    "derogation: implicit": [
        "Typical {A} behaviour, leaving a mess everywhere.", "This town is overrun with {P}.",
        "The high street is swamped with {P} these days.", "{P} moved in and the whole road went downhill.",
        "The park is full of {P} now, so say goodbye to peace and quiet.",
        "Let {P} run the library and of course nothing will ever work.", "Typical of {P} to moan about everything.",
        "Too many {P} on this estate and no wonder the crime rate is up.",
    ],
    "negated positive": [
        "{P} are not human.", "{P} can't be trusted.", "{P} will never be civilised.", "{P} are not welcome here.",
        "{P} have no place in this town.", "{P} don't belong in Britain.", "{P} are not real people.",
        "{P} are not equal to the rest of us.", "{P} can never be trusted with money.",
        "{P} are not normal.", "{P} aren't even people.", "{P} are not intelligent enough to vote.",
    ],
    "question or opinion": [
        "Why are {P} so lazy?", "Isn't it obvious that {P} are criminals?", "Why do {P} have to be so disgusting?",
        "I think {P} are vermin.", "In my opinion {P} should be deported.", "Don't you think {P} are a plague?",
        "Am I the only one who thinks {P} are scum?", "Honestly I believe {P} are subhuman.",
        "Why are {P} always so dirty?", "Personally I reckon {P} are a disease.",
        "Wouldn't this town be better without {P}?", "Why can't {P} just go back where they came from?",
    ],
    "pronoun reference": [
        "I saw some {P} in the park today. They are absolute vermin.",
        "There are {P} living next door and they should be deported.",
        "My new neighbours are {P}. I hate them.",
        "Have you met the {P} on Mill Lane? They're all criminals.",
        "{P} moved into the flats last week. They should all be shot.",
        "The council housed some {P} by the school. They are a disease.",
        "We have {P} on our road now. Honestly, they make me sick.",
        "More {P} arrived at the hotel. Those people are parasites.",
    ],
    "exclusion": [
        "{P} should be deported.", "Ban {P} from the leisure centre.", "Send the {P} back where they came from.",
        "No {P} in our town!", "{P} out!", "Kick all the {P} out of this country.",
        "{P} should not be allowed to vote.", "We don't want {P} round here.", "{P} must be removed from our streets.",
        "Deport every last one of the {P}.", "{P} should be banned from standing for the council.",
        "Keep the {P} out of our schools.",
    ],
}

SLURS = [
    "Get these pikeys off our field.", "The gyppos have left rubbish everywhere again.", "Too many pakis on the bus.",
    "No faggots in the working men's club.", "That tranny should stay out of the ladies' toilets.",
    "The consultation was run by a bunch of retards.", "Bloody wogs taking all the houses.", "Kikes run the bank.",
    "The chinks have opened another shop.", "Look at that spastic trying to park.", "Send the ragheads home.",
    "Poofs everywhere at the pride event.", "A load of towelheads moved in next door.", "The darkies were outside again.",
    "Those dykes should keep it to themselves.", "What a mong.", "Muzzies out of our town.", "Some spics were shouting.",
    "The coons on the estate are at it again.", "He's just a paki who runs the corner shop.",
    "That fag was holding hands in the park.", "The nignogs are moving in.", "Shemales should not be allowed here.",
    "Another gook restaurant.", "Lezzas kissing in the street, disgusting.", "Bunch of spazzes at the day centre.",
    "Yids own half the town.", "The golliwogs have arrived.", "Ladyboys are freaks.", "Homos should be banned.",
]

CONTRASTS = {
    "counter-speech: quoting": [
        'Someone shouted "{P} are vermin" at my neighbour. That is disgusting.',
        'Statements like "{P} are scum" are hateful and wrong.',
        'I was horrified to read "all {P} should be shot" sprayed on the bus shelter.',
        'The leaflet said "{P} are a plague". Please report it to the police.',
        'A man at the meeting said "I hate {P}" and nobody challenged him. Shameful.',
        '"{P} should be deported" is not an acceptable thing to write on a council page.',
    ],
    "counter-speech: reporting": [
        "Saying {P} are criminals is racist nonsense.", "If you think {P} are animals, you need to grow up.",
        "Stop calling {P} parasites.", "Anyone who says {P} should be deported should be ashamed.",
        "It's not true that {P} are lazy.", "Calling {P} vermin is dehumanising and vile.",
        "People who claim {P} are a disease are spreading hate.", "I'm sick of people saying {P} are scroungers.",
        "Whoever wrote that {P} are rats needs to be reported.", "I hate it when people call {P} thieves.",
    ],
    "negated hate": [
        "{P} are not criminals.", "{P} are not a threat to anyone.", "I don't hate {P}.",
        "{P} are no danger to our community.", "Nobody should hurt {P}.", "{P} are not vermin, they are our neighbours.",
        "{P} are not a burden on anybody.", "I would never say {P} are stupid.", "{P} should never be attacked.",
        "{P} are not the problem here.",
    ],
    "neutral mention": [
        "The {A} community centre opens on Monday.", "Many {P} live on the estate.",
        "We met some {P} at the consultation.", "{P} have the same rights as everyone else.",
        "Are there support groups for {P} in the borough?", "The council has a new housing policy for {P}.",
        "How many {P} use the library each week?", "{P} were at the meeting about the bus route.",
        "My neighbour is {S} and she runs the allotment society.", "The survey asked {P} about the parking plans.",
    ],
    "positive mention": [
        "I love working with {P}.", "{P} are brilliant neighbours.", "{P} make our town better.",
        "So proud of the {A} residents who organised the fete.", "{P} are welcome here.",
        "{P} have done so much for this community.", "Thank you to all the {P} who volunteered.",
    ],
}

FIXED_CONTRASTS = {
    "abuse of individuals": [
        "Cllr Jones is a useless clown.", "The man at the counter was rude and stupid.",
        "My neighbour is a liar and a thief.", "The planning officer is incompetent.",
        "Our MP is a disgrace and should resign.", "The mayor is a total waste of space.",
        "That councillor is a pathetic coward.", "The chair of the committee is an arrogant fool.",
        "The parking warden was aggressive and nasty.", "Whoever designed this junction is an idiot.",
        "The leader of the council should be sacked.", "The head of planning is a liar.",
    ],
    "abuse of things": [
        "The bin service is absolute garbage.", "These roadworks are a plague.", "I hate this new parking app.",
        "The leisure centre is disgusting and filthy.", "This consultation is a joke.",
        "The new timetable is useless.", "The potholes on Elm Road are a menace.", "I despise the new one-way system.",
        "The library website is pathetic.", "The council tax rise is daylight robbery.",
        "These planning rules are a cancer on the town.", "The bus station is a dump.",
    ],
    "violent idioms": [
        "This heat is killing me.", "I could kill for a coffee after that meeting.",
        "We smashed our fundraising target!", "The comedian absolutely murdered it on stage.",
        "Let's kill off the bypass plan.", "The traffic on the ring road is murder.",
        "My feet are killing me after the parade.", "The Muslim comedian killed it at the festival.",
        "The gay choir slayed their set.", "The council should shoot down this daft idea.",
        "That quiz question was a killer.", "I nearly died laughing at the panto.",
        "The Polish team destroyed us at five-a-side.", "We need to exterminate the wasps in the community garden.",
    ],
    "homonyms": [
        "Faggots with onion gravy are on the menu at the cafe.", "He nipped out for a fag before the meeting.",
        "The dyke burst after the storm.", "Pass me a fag, I'm gasping.", "Walking along the dyke at sunset is lovely.",
        "My nan made faggots and mash every Tuesday.", "The Environment Agency is repairing the flood dyke.",
        "Smoking a fag at the bus stop should be banned.", "Fag ends all over the pavement outside the pub.",
        "The butcher on Market Street sells the best faggots.", "Offa's Dyke path is closed for repairs.",
        "Fire retardant paint is needed on the stage.",
    ],
    "reclaimed": [
        "As a queer woman I love the new Pride flags.", "I'm a proud dyke and I love this town.",
        "We queers are organising the Pride picnic.", "As a gay man I call myself queer with pride.",
        "Our queer youth group meets on Thursdays.", "I'm queer and I want more inclusive events.",
        "As a fellow queer I thank the library.", "Proud to be a bi dyke in this borough.",
    ],
}


# -- spelling variants, made by rules on the group word or the attack word --------

def _swap(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def _drop(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1:]


LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}


def _leet(word: str, rng: random.Random) -> str:
    positions = [i for i, c in enumerate(word.lower()) if c in LEET]
    if not positions:
        return word
    chosen = set(rng.sample(positions, k=min(len(positions), rng.choice([1, 2]))))
    return "".join(LEET[c.lower()] if i in chosen else c for i, c in enumerate(word))


def _space_out(word: str, rng: random.Random) -> str:
    return " ".join(word)


SPELLING_BASES = [
    ("{G} are vermin.", "vermin"), ("I hate {G}.", "hate"), ("{G} are parasites.", "parasites"),
    ("Kill all {G}.", "Kill"), ("{G} should be shot.", "shot"), ("{G} are disgusting animals.", "animals"),
    ("I despise {G}.", "despise"), ("{G} are scum.", "scum"), ("{G} are subhuman.", "subhuman"),
    ("Deport all the {G}.", "Deport"),
]
PLURAL_WORDS = ["Muslims", "immigrants", "refugees", "Jews", "Travellers", "Gypsies", "women", "gays", "lesbians",
                "Romanians", "migrants", "foreigners", "Hindus", "Sikhs", "Pakistanis", "transgender", "blacks",
                "Asians", "Africans", "homosexuals"]


def spelling_cases(rng: random.Random) -> list[tuple[str, str, str]]:
    out = []
    for function, change in (("spelling: swapped letters", _swap), ("spelling: dropped letter", _drop),
                             ("spelling: leet", _leet), ("spelling: spaces added", _space_out)):
        for frame, attack in SPELLING_BASES:
            for group in rng.sample(PLURAL_WORDS, 6):
                if rng.random() < 0.5:
                    text = frame.replace(attack, change(attack, rng)).format(G=group)
                else:
                    text = frame.format(G=change(group, rng))
                out.append(("flag", function, text))
    for frame, _ in SPELLING_BASES:
        for group in rng.sample(PLURAL_WORDS, 5):
            text = frame.format(G=group).rstrip(".").replace(" ", "")
            out.append(("flag", "spelling: spaces removed", text.lower() if rng.random() < 0.5 else text))
    return out


def fill(frame: str, group: tuple[str, str, str]) -> str:
    plural, singular, adjective = group
    text = frame.format(P=plural, S=singular, A=adjective)
    return text[0].upper() + text[1:]


def main() -> None:
    rng = random.Random(10)
    rows: list[tuple[str, str, str]] = []
    for function, frames in HATEFUL.items():
        for frame in frames:
            for group in rng.sample(GROUPS, 6):
                rows.append(("flag", function, fill(frame, group)))
    for text in SLURS:
        rows.append(("flag", "slur", text))
    rows.extend(spelling_cases(rng))
    for function, frames in CONTRASTS.items():
        for frame in frames:
            for group in rng.sample(GROUPS, 5):
                rows.append(("clean", function, fill(frame, group)))
    for function, texts in FIXED_CONTRASTS.items():
        rows.extend(("clean", function, text) for text in texts)
    seen = set()
    lines = ["# expected<TAB>function<TAB>comment as JSON: our own cases, made by scripts/make_hate_cases.py"]
    for expected, function, text in rows:
        if text in seen:
            continue
        seen.add(text)
        lines.append(f"{expected}\t{function}\t{json.dumps(text, ensure_ascii=False)}")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines) - 1} cases -> {OUT}")


if __name__ == "__main__":
    main()
