"""What the hate analysis knows: groups, slurs, and the words that attack them.

Everything here is data, kept readable so that a moderator can see why a
comment was held. Words are lower case and already folded by
:func:`discuss.textnorm.normalise`; multi-word entries are space separated and
matched over tokens (``asylum seekers``, ``wipe out``).

Targets are grouped under the protected characteristics of the Equality Act
2010 (``race`` covers colour, nationality and ethnic or national origin, which
includes Gypsy, Roma and Traveller communities), plus ``migration status``:
asylum seekers, refugees and migrants are not a protected characteristic, but
they are who councils see targeted most.
"""

from __future__ import annotations

from dataclasses import dataclass

RACE = "race"
RELIGION = "religion"
DISABILITY = "disability"
SEXUAL_ORIENTATION = "sexual orientation"
GENDER_REASSIGNMENT = "gender reassignment"
SEX = "sex"
AGE = "age"
MIGRATION = "migration status"
SITE = "site"  # a term the site added in its settings


@dataclass(frozen=True)
class Target:
    """A group as the analysis reports it: ``label`` ("muslims") and its characteristic."""

    label: str
    characteristic: str


def _forms(spec: str) -> list[str]:
    return [form.strip() for form in spec.split("|") if form.strip()]


# Nouns that name the group by themselves ("Muslims are ...", "a Jew").
# "label: characteristic: forms".
_GROUP_NOUNS = """
muslims: religion: muslims|muslim|moslems|moslem|muzzies|islam|islamists|mohammedans
jews: religion: jews|jew|jewry|the jewish
christians: religion: christians|christian|catholics|catholic|protestants
hindus: religion: hindus|hindu
sikhs: religion: sikhs|sikh
atheists: religion: atheists
black people: race: blacks|black people|black folk|people of colour|people of color|coloureds
white people: race: whites|white people
asian people: race: asians|asian people
ethnic minorities: race: ethnic minorities|minorities|bame
gypsies and travellers: race: travellers|traveller|travelers|traveler|gypsies|gypsy|gipsies|gipsy|roma|romany|romanies|irish travellers
immigrants: migration status: immigrants|immigrant|migrants|migrant|foreigners|foreigner|illegals|illegal immigrants|economic migrants|incomers|newcomers
refugees: migration status: refugees|refugee
asylum seekers: migration status: asylum seekers|asylum seeker|asylum-seekers
eastern europeans: race: eastern europeans|poles|romanians|bulgarians|albanians|lithuanians|latvians|slovaks|czechs|hungarians|ukrainians|russians|romanian|albanian|bulgarian|lithuanian
south asians: race: pakistanis|indians|bangladeshis|sri lankans|tamils|pakistani|bangladeshi
africans: race: africans|nigerians|somalis|ghanaians|eritreans|sudanese|caribbeans|jamaicans|african|somali|nigerian
middle eastern people: race: arabs|syrians|afghans|iraqis|iranians|kurds|turks|arab|syrian|afghan|iraqi|iranian|kurd
chinese people: race: chinese people|orientals
irish people: race: irish people|the irish
mexicans: race: mexicans|latinos|hispanics
gay people: sexual orientation: gays|gay people|gay men|gay women|homosexuals|homosexual|lesbians|lesbian|queers|bisexuals|bisexual people|lgbt|lgbtq|lgbtqia|lgbt people|the gay community
trans people: gender reassignment: trans people|transgender people|transgenders|transgender|transsexuals|transsexual|trans women|trans men|transwomen|transmen|trans folk|non-binary people|nonbinary people|trans kids
women: sex: women|woman|females|womenfolk|wives|feminists
men: sex: men
disabled people: disability: disabled people|people in wheelchairs|people with autism|people with dementia|people with mental illness|people with mental health problems|people with learning difficulties|people with special needs|the disabled|disabled folk|people with disabilities|wheelchair users|the handicapped|handicapped people|the blind|the deaf|autistics|people with learning disabilities|the mentally ill|mentally ill people|people with down syndrome|people with downs
older people: age: pensioners|the elderly|elderly people|old people|oaps|boomers
"""

# Adjectives that name a group only before a noun ("the Muslim family", "gay
# choir"); with a person noun after them they are a target.
_GROUP_ADJECTIVES = """
muslims: religion: muslim|islamic|moslem
jews: religion: jewish
christians: religion: christian|catholic
hindus: religion: hindu
sikhs: religion: sikh
black people: race: black|coloured
white people: race: white
asian people: race: asian
gypsies and travellers: race: traveller|gypsy|gipsy|roma|romany
immigrants: migration status: immigrant|migrant|foreign|illegal
refugees: migration status: refugee
eastern europeans: race: polish|romanian|bulgarian|albanian|lithuanian|latvian|slovak|czech|hungarian|ukrainian|eastern european
south asians: race: pakistani|indian|bangladeshi|tamil
africans: race: african|nigerian|somali|jamaican|caribbean
middle eastern people: race: arab|syrian|afghan|iraqi|iranian|kurdish|turkish
chinese people: race: chinese
irish people: race: irish
gay people: sexual orientation: gay|lesbian|bisexual|queer|homosexual|lgbt|lgbtq
trans people: gender reassignment: trans|transgender|transsexual|non-binary|nonbinary
disabled people: disability: disabled|deaf|blind|autistic|handicapped|wheelchair
older people: age: old|elderly
"""

# Nouns for people: after a group adjective they make a target ("Romanian lads").
PERSON_NOUNS = frozenset(_forms(
    "people|person|persons|folk|folks|man|men|woman|women|boy|boys|girl|girls|lad|lads|guy|guys|bloke|blokes|"
    "kid|kids|child|children|family|families|neighbour|neighbours|neighbor|neighbors|couple|couples|"
    "community|communities|resident|residents|tenant|tenants|lot|ones|population|youth|youths|teen|teens|"
    "teenagers|lives|worker|workers|driver|drivers|student|students|parent|parents|mother|mothers|father|fathers|"
    "councillor|councillors|member|members|friend|friends|colleague|colleagues|immigrants|immigrant|"
    "refugees|refugee|migrants|migrant|gang|gangs|scum|lesbians|mps|doctors|nurses|teachers|"
    "pupils|users|kind|types|sort|lads|bastards|wives|husbands|owners|shopkeepers|traders|"
    "taxi|cabbies|beggars|criminals|voters|members|staff|adults|pensioners|seekers|travellers|dude|dudes"
))

# Places and events that stand for a group in threats ("burn that synagogue").
_GROUP_PLACES = """
muslims: religion: mosque|mosques|madrassa|madrasa|islamic centre
jews: religion: synagogue|synagogues|shul
sikhs: religion: gurdwara|gurdwaras
hindus: religion: mandir|hindu temple
gypsies and travellers: race: traveller site|travellers site|gypsy site|traveller camp|gypsy camp
asylum seekers: migration status: asylum hotel|migrant hotel|refugee centre|detention centre
gay people: sexual orientation: pride|pride march|pride parade|gay bar|gay club
"""

# Slurs: "label: characteristic: severity: forms". Severity "high" holds alone;
# "medium" holds unless the context is innocent (a homonym, a reclaimed self-
# description, a report of the slur); "low" words are reclaimed or ordinary
# often enough ("queer", "tinker") that they only count as a target in a hateful
# sentence.
_SLURS = """
black people: race: high: nigger|niggers|nigga|niggas|niggaz|nigguh|negroes|coon|coons|darkie|darkies|darky|sambo|sambos|golliwog|golliwogs|jigaboo|jigaboos|nignog|nignogs|spade|spades|jungle bunny|sooty|sooties
black people: race: medium: negro|coloured|half caste|half-caste|half castes
south asians: race: high: paki|pakis|pakki|pakkis|pakky|packie|packies|curry muncher|curry munchers|bud bud|poo in loo
east asian people: race: high: chink|chinks|chinky|chinkies|gook|gooks|slope|slopes|nip|nips
middle eastern people: race: high: raghead|ragheads|towelhead|towelheads|sand nigger|sand niggers|camel jockey|camel jockeys|muzrat|muzrats
muslims: religion: high: muzzie|muzzies|muzzy|mozzies|goatfucker|goatfuckers|moslem scum
jews: religion: high: joos|jooz|joo|kike|kikes|yid|yids|hymie|hymies|heeb|heebs|christ killer|christ killers|jewboy|jewboys
gypsies and travellers: race: high: pikey|pikeys|pikie|pikies|piker|gyppo|gyppos|gippo|gippos|gyppoes|gypo|gypos|didicoy|didicoys|diddicoy
gypsies and travellers: race: low: tinker|tinkers|knacker|knackers
immigrants: race: high: wog|wogs|wop|wops|dago|dagos|spic|spics|spick|wetback|wetbacks|beaner|beaners|polack|polacks|kraut|krauts|frog eater|eastern euros
immigrants: race: medium: foreigners out|bongo bongo
gay people: sexual orientation: high: faggot|faggots|fag|fags|faggy|fagg|faggit|faggits|poof|poofs|poofter|poofters|pooftah|batty boy|batty boys|battyman|bum boy|bum boys|shirtlifter|shirtlifters|shirt lifter|rug muncher|rug munchers|carpet muncher|carpet munchers|lesbo|lesbos|lezza|lezzas|lezzer|lezzers|lezzie|lezzies|homo|homos|bender|benders
gay people: sexual orientation: medium: dyke|dykes|dike|dikes
gay people: sexual orientation: low: queer|queers|gaylord|gaylords
trans people: gender reassignment: high: tranny|trannies|trannie|trannys|shemale|shemales|she-male|ladyboy|ladyboys|heshe|he-she|trans freak|troon|troons|trannoid
disabled people: disability: high: retard|retards|retarded|tard|tards|spastic|spastics|spaz|spazz|spazzes|spacker|spackers|mong|mongs|mongoloid|mongoloids|window licker|window lickers|cripple|cripples|crip|crips|libtard
women: sex: medium: feminazi|feminazis|femoid|femoids|foid|foids
"""

# Slur words that have an innocent British meaning, and the words around them
# that show it ("faggots and peas", "a fag behind the bike sheds", "the dyke
# along the fen road", "go on a bender", "homo sapiens", "flame retardant").
HOMONYM_CONTEXT: dict[str, frozenset[str]] = {
    "fag": frozenset(_forms(
        "smoke|smoking|smoked|smoker|smokers|cigarette|cigarettes|ciggie|ciggies|ciggy|tobacco|lighter|light|"
        "packet|pack|rollie|rollies|ash|ashtray|puff|end|ends|break|butt|butts|nicotine|vape|vaping|quit|"
        "pub|pint|chore|bother|effort|tiring|hassle|bike sheds|behind|fancy|cadge|borrow|roll|nipped|nip|"
        "popped|quick|outside|gasping|shop|paper|papers|machine|lighters|matches|kiosk|sold|newsagent|"
        "baccy|rolling|cigs|cig|smell|stub|stubs")),
    "faggot": frozenset(_forms(
        "peas|pea|gravy|mash|mashed|chips|onion|onions|dinner|tea|lunch|supper|ate|eat|eating|cook|cooked|"
        "cooking|recipe|butcher|butchers|pork|liver|meat|meatballs|menu|served|serve|dish|tasty|delicious|"
        "oven|brains|mr|frozen|market|stall|plate|sticks|wood|firewood|bundle|kindling|faggots and|yum|"
        "pie|pies|sausages|bacon|food|restaurant|cafe|pub|gran|nan|nana|grandma|granny|mum|homemade|best|"
        "cooks|made|tin|tins|freezer|chef|chefs|legendary|ordered|order|portion|portions|kitchen|gastropub")),
    "dyke": frozenset(_forms(
        "flood|floods|flooded|flooding|bank|banks|river|rivers|fen|fens|drain|drains|drainage|ditch|ditches|"
        "water|waters|road|lane|sea|embankment|breach|breached|burst|dutch|offa|offas|devils|devil|field|"
        "fields|marsh|marshes|walk|walking|path|footpath|farm|farmland|tide|tidal|dig|dug|repair|repaired|"
        "along|wall|walls|dry|stone|hill|lincolnshire|norfolk|cambridgeshire|environment|agency|banks")),
    "bender": frozenset(_forms(
        "drink|drinking|drunk|pub|pubs|weekend|night|nights|pints|beer|lager|bar|bars|went|go|going|week|"
        "long|stag|hangover|binge|tent|tents|benders|mind|fender|metal|pipe|wire")),
    "homo": frozenset(_forms("sapiens|erectus|habilis|neanderthalensis|genus|species|evolution|fossil")),
    "retard": frozenset(_forms(
        "growth|growing|progress|development|fire|flame|flames|timber|chemical|chemicals|rate|ignition|"
        "corrosion|spread|to|will|would|may|might|could|can|rust|rot|retardant|ageing|germination")),
    "spastic": frozenset(_forms("society|colon|paralysis|paraplegia|diplegia|muscles|muscle|cerebral|"
                                "hemiplegia|scope|renamed|charity|founded")),
    "cripple": frozenset(_forms(
        "economy|business|businesses|finances|debt|debts|costs|budget|budgets|service|services|council|"
        "to|will|would|could|may|might|cuts|strike|strikes|network|traffic|town|industry|sector|high street")),
    "coon": frozenset(_forms("cheese|racoon|raccoon|maine|cat|cats|hound|hounds")),
    "spade": frozenset(_forms(
        "dig|digging|garden|gardening|shovel|shovels|soil|allotment|ace|aces|hearts|clubs|diamonds|cards|"
        "call|calling|fork|forks|tools|tool|rake|bucket|work|shed|ground|planting|border|spades")),
    "slope": frozenset(_forms(
        "hill|hills|steep|gentle|ski|down|up|slippery|bank|grass|road|ramp|gradient|field|the|a|of|on")),
    "nip": frozenset(_forms("quick|just|out|to|down|over|pop|shop|a|in|cold|air|frost|bud")),
    "mong": frozenset(_forms("hmong")),
    "sooty": frozenset(_forms("sweep|puppet|chimney|soot|black|smoke|stove|marks|dirty|bear")),
    "wop": frozenset(),
    "tinker": frozenset(_forms("with|around|about|tailor|soldier|spy|bell|tinkering")),
    "crip": frozenset(_forms("bloods")),
    "nips": frozenset(),
    "frog eater": frozenset(),
}

# The forms of each homonym above that the context covers.
HOMONYM_FORMS: dict[str, str] = {}
for _word, _forms_of in {
    "fag": "fag|fags", "faggot": "faggot|faggots", "dyke": "dyke|dykes|dike|dikes", "bender": "bender|benders",
    "homo": "homo", "retard": "retard|retarded|retards", "spastic": "spastic|spastics",
    "cripple": "cripple|cripples|crippled", "coon": "coon|coons", "spade": "spade|spades",
    "slope": "slope|slopes", "nip": "nip|nips", "mong": "mong|mongs", "sooty": "sooty|sooties",
    "tinker": "tinker|tinkers", "crip": "crip|crips",
}.items():
    for _form in _forms(_forms_of):
        HOMONYM_FORMS[_form] = _word

# Slurs so ordinary as English words that they only count in a hateful frame
# or when written as a plural noun about people.
WEAK_SLURS = frozenset({"spade", "spades", "slope", "slopes", "nip", "nips", "sooty", "sooties", "crip", "crips",
                        "bender", "benders", "tinker", "tinkers", "knacker", "knackers",
                        "coloured", "homo", "piker", "cripple"})


def _parse_groups(spec: str) -> dict[str, Target]:
    table: dict[str, Target] = {}
    for line in spec.strip().splitlines():
        label, characteristic, forms = (part.strip() for part in line.split(":", 2))
        for form in _forms(forms):
            table.setdefault(form, Target(label, characteristic))
    return table


GROUP_NOUNS: dict[str, Target] = _parse_groups(_GROUP_NOUNS)
GROUP_ADJECTIVES: dict[str, Target] = _parse_groups(_GROUP_ADJECTIVES)
GROUP_PLACES: dict[str, Target] = _parse_groups(_GROUP_PLACES)


@dataclass(frozen=True)
class Slur:
    """A slur: the group it attacks and how bad it is on its own."""

    target: Target
    severity: str  # high | medium | low


def _parse_slurs(spec: str) -> dict[str, Slur]:
    table: dict[str, Slur] = {}
    for line in spec.strip().splitlines():
        label, characteristic, severity, forms = (part.strip() for part in line.split(":", 3))
        for form in _forms(forms):
            table.setdefault(form, Slur(Target(label, characteristic), severity))
    return table


SLURS: dict[str, Slur] = _parse_slurs(_SLURS)

# Nouns that need a capital to be a group: "Poles" but "telegraph poles".
CAPITALISED_ONLY = frozenset({"poles", "turks", "whites", "indians", "christian", "catholic", "newcomers",
                              "incomers", "minorities"})
# Bare plurals that name a group only when generic: "men are ..." but not
# "the men working on the road".
GENERIC_ONLY = frozenset({"men", "minorities", "newcomers", "incomers", "christians", "catholics"})

# -- predicates ----------------------------------------------------------------
# Classes of words and phrases the rules look for. Phrases are space separated.

DEHUMANISING = frozenset(_forms(
    "vermin|rat|rats|cockroach|cockroaches|roaches|parasite|parasites|parasitic|leech|leeches|lice|louse|"
    "maggot|maggots|insects|bugs|animal|animals|beast|beasts|savage|savages|subhuman|subhumans|sub human|"
    "sub humans|sub-human|sub-humans|untermensch|ape|apes|monkey|monkeys|baboons|gorillas|pigs|swine|dogs|"
    "mongrels|cattle|livestock|scum|scumbags|filth|trash|garbage|rubbish|plague|a plague|disease|diseases|"
    "a disease|diseased|cancer|a cancer|cancerous|virus|a virus|infestation|an infestation|infection|pests|"
    "pestilence|creatures|freaks|freak|freaks of nature|abominations|abomination|monsters|mutants|mutant|"
    "primitive|barbarians|barbaric|uncivilised|uncivilized|lumps of meat|lump of meat|sewage|excrement|"
    "shit|vermins|cockroachs|blight|a blight|a scourge|scourge|locusts|termites|hyenas|snakes|"
    "vultures|dirt|sewer rats|weeds|fungus|mould|germs|bacteria|tumour|tumor|a tumour|pox|a pox|"
    "roaches|bin bags|bin juice|sewage rats|dogs in the street|lowlife|lowlifes|degenerates|degenerate|not human|less than human|"
    "animal like|things|creeps|property|objects|baby machines|breeding machines|possessions|zombies|breeders|breed like rabbits|breeding like rabbits|swarm|swarms|"
    "swarming|hordes|a horde|invaders|an invasion|invasion|infesting|infest|infested|crawling|"
    "carry disease|carry diseases|carries disease|carries diseases|carrying disease|carrying diseases|"
    "spread disease|spread diseases|spreads disease|spreads diseases|riddled with disease|riddled with diseases|"
    "disease carriers|disease ridden|disease-ridden|full of disease|bring disease|brings disease"))
# ("it" and "things" count only right after "are"/"is" in the copula rule.)

NEGATIVE_ATTRIBUTES = frozenset(_forms(
    "criminals|criminal|crooks|thieves|thief|thieving|robbers|liars|lying|cheats|cheating|fraudsters|"
    "frauds|scroungers|scrounging|spongers|sponging|freeloaders|benefit cheats|terrorists|terrorist|"
    "extremists|jihadists|jihadis|bombers|suicide bombers|rapists|rapist|paedophiles|paedophile|pedophiles|"
    "pedophile|paedos|paedo|pedos|nonces|groomers|grooming gangs|predators|perverts|pervert|perverted|"
    "deviants|deviant|murderers|killers|thugs|violent|dangerous|aggressive|a menace|menace|a threat|threat|"
    "a danger|danger|the problem|a problem|problem|a burden|burden|burdens|a drain|drain|stupid|dumb|thick|"
    "idiots|morons|imbeciles|cretins|brainless|incompetent|useless|worthless|inferior|lazy|idle|dirty|"
    "filthy|smelly|stinking|stink|disgusting|disgust|revolting|repulsive|gross|vile|evil|wicked|sick|"
    "ugly|hideous|pathetic|weak|backward|backwards|ignorant|greedy|dishonest|untrustworthy|sneaky|devious|"
    "treacherous|traitors|unhygienic|unclean|infectious|hysterical|too emotional|irrational|crazy|insane|"
    "mental|nuts|delusional|mentally ill|confused|fake|a joke|a disgrace|disgrace|a nuisance|nuisance|"
    "bad|awful|horrible|terrible|nasty|scary|creepy|rude|arrogant|ungrateful|entitled|second class|"
    "second-class|a waste of space|waste of space|a waste of oxygen|waste of oxygen|waste|a waste|"
    "ruining|ruin|ruins|ruined|destroying|destroy|destroys|wrecking|stealing|steal|steals|stole|robbing|raping|"
    "despicable|loathsome|detestable|contemptible|repugnant|abhorrent|sickening|horrid|nauseating|"
    "obnoxious|insufferable|unbearable|dim|dimwitted|dense|cruel|heartless|selfish|sly|incapable|"
    "inadequate|defective|contagious|toxic|poisonous|deceitful|manipulative|sinister|demonic|satanic|"
    "godless|immoral|sinful|unholy|perverse|twisted|warped|sickos|weirdos|nutters|nutcases|lunatics|"
    "psychos|maniacs|cancerous|brutes|brutal|barbarians|uncultured|unwashed|feral|wild|"
    "all the same|robbed|mugged|control the council|control the media|control the banks|control the world|"
    "control everything|run the world|run the media|run the banks|run everything|own the banks|own the media|"
    "own everything|are behind everything|behind everything|pulling the strings|secretly run|"
    "rape|invading|scrounge|leeching|taking over|take over|breeding|spreading disease|bring disease|"
    "bringing disease|bring crime|bringing crime|a curse|curse|a blight on|liability|a liability|"
    "abnormal|unnatural|wrong in the head|brainwashed|hateful|bigots|savage|inbred|inbreds|simple|"
    "retarded|spongers|freeloading|parasitical|bloodsuckers|benefit scroungers|dole scroungers|"
    "cowards|cowardly|useless eaters|deadweight|dead weight|dirt poor|primitive|illiterate|uneducated|"
    "smell|stench|stinks|reek|reeks|cunning|shifty|tight|money grabbing|money-grabbing|grabby|pushy|"
    "loud|vulgar|cheap|not to be trusted|good for nothing|good-for-nothing|losers|scroungers|dole|"
    "the worst|worst|worthless scum|attention seekers|sick in the head|mentally ill freaks|grooming|"
    "paedophilia|perversion|degeneracy|a mental illness|mental illness|an illness|a sickness|sickness|"
    "less intelligent|less civilised|less civilized|less capable|less evolved|less worthy|less deserving|"
    "lesser|lesser beings|lower|beneath us|below us|inferior to us|worse than animals|genetically inferior|"
    "less than us|not as intelligent|not as clever|not as smart|dumber|stupider|thicker than|"
    "drunks|drunkards|alcoholics|junkies|addicts|beggars|gangsters|layabouts|wasters|"
    "control all the banks|control all the media|run all the banks|run all the media|own all the banks|"
    "own all the media|control all the money|control the money|run the government|control the government"))

# Words whose denial is the attack ("not human", "can never be trusted").
POSITIVES = frozenset(_forms(
    "human|humans|human beings|human being|people|persons|a person|real people|real person|equal|equals|"
    "trusted|trustworthy|civilised|civilized|welcome|welcomed|intelligent|smart|clever|competent|honest|"
    "decent|normal|worthy|valuable|wanted|one of us|citizens|real women|real woman|real men|real man|"
    "proper people|full people|real|british|english|members of society|part of society|part of this country|"
    "as good as us|as good as anyone|our equals|deserving|worth anything|worth it|worth saving|worth|"
    "matter|exist|women|men|a woman|a man|female|male|ladies|in charge|in power|leaders|deserve|deserves|"
    "rights|have rights|any rights|equal rights|human rights|a vote|the vote|a say|children|kids|"
    "capable|fit to lead|fit to govern|fit to be parents|fit to raise children|good enough|"
    "deserve to live|deserves to live|deserve to exist|deserves to exist|deserve life|deserve to breathe|"
    "deserve to be alive|deserves to be alive|a right to live|a right to exist|right to live|right to exist"))

# Denial phrases that already contain their negation ("have no place here").
EXCLUSION_PHRASES = frozenset(_forms(
    "no place|don't belong|dont belong|do not belong|doesn't belong|does not belong|not welcome|unwelcome|"
    "not wanted|unwanted|no right|no rights|shouldn't be allowed|should not be allowed|"
    "mustn't be allowed|must not be allowed|never be allowed|not be allowed|not be let|no business|"
    "shouldn't be let|should not be let|should never be allowed|"
    "shouldn't be in our|should not be in our|shouldn't be in this country|should not be in this country|"
    "shouldn't be in normal|should not be in normal|shouldn't be anywhere near|should not be anywhere near|"
    "shouldn't be near our|should not be near our|shouldn't live near|should not live near|"
    "should go back|go back|go home|should leave|must leave|get out|out of our|out of my|out of this|"
    "back where they came from|back where you came from|back to where|back to their|back to your|"
    "where they came from|where you came from|back home|pack their bags|better off without|"
    "better without|belong in the kitchen|belong in a zoo|belong in the zoo|belong in cages|"
    "belong in a cage|belong in the jungle|belong in the gutter|belong in camps|belong in the sewer|"
    "belong in an asylum|belong in a mental hospital|belong in the trees|belong in the sea|"
    "belong in the bin|belong at home|belong in the home|know their place|stay in the kitchen|"
    "in the kitchen|stay at home|get back in the kitchen|back in the kitchen|kept away|kept out|"
    "keep out|stay out|stay away|keep away|off our streets|off the streets|off our"))

# Participles of removal that need a "should"/"must" or an imperative.
EXCLUSION_ACTS = frozenset(_forms(
    "deported|deport|deporting|deportation|banned|ban|barred|bar|removed|remove|expelled|expel|excluded|"
    "exclude|kicked out|kick out|kick them out|thrown out|throw out|sent back|send back|send them back|"
    "sent home|send home|shipped back|ship back|shipped out|shipped off|ship them back|locked up|lock up|"
    "rounded up|round up|interned|segregated|segregate|sterilised|sterilized|sterilise|sterilize|castrated|"
    "neutered|kept out|keep out|got rid of|get rid of|run out of town|run out|driven out|drive out|"
    "chased out|chase out|turfed out|turf out|booted out|boot out|evicted|evict|forced out|force out|"
    "thrown off|kicked off|stopped|sent packing|repatriated|repatriate|put in camps|locked away|"
    "denied|refused|sacked|fired|not be hired|kept away|keep away|isolated|quarantined|registered|"
    "tagged|marked|put on a register|put on a list|stripped of citizenship|stripped"))

# Violence. Base forms and participles; phrases are matched whole.
VIOLENCE = frozenset(_forms(
    "kill|kills|killed|killing|murder|murders|murdered|murdering|slaughter|slaughtered|massacre|massacred|"
    "exterminate|exterminated|exterminating|extermination|eradicate|eradicated|eliminate|eliminated|"
    "wipe out|wiped out|wiping out|wipe them out|shoot|shot|shooting|shot dead|gun down|gunned down|stab|"
    "stabbed|stabbing|knife|knifed|hang|hanged|hung|hanging|lynch|lynched|lynching|string up|strung up|"
    "burn|burned|burnt|burning|burn down|burned down|burnt down|torch|torched|set fire|set fire to|"
    "set on fire|set alight|firebomb|firebombed|petrol bomb|gas|gassed|gassing|bomb|bombed|bombing|"
    "blow up|blown up|beat|beaten|beating|beat up|batter|battered|kick|kicked|kicking|kick in|"
    "kick their heads in|punch|punched|smash|smashed|smash up|hurt|hurting|harm|harmed|attack|attacked|"
    "attacking|assault|assaulted|rape|raped|raping|torture|tortured|torturing|drown|drowned|drowning|"
    "behead|beheaded|execute|executed|execution|butcher|butchered|cull|culled|culling|put down|"
    "run over|ran over|slit|strangle|strangled|choke|choked|bash|bashed|bashing|shank|shanked|"
    "put in hospital|put them in hospital|in hospital|in blood|pay in blood|make them pay|make him pay|"
    "make her pay|make you pay|sort out|sorted out|sort them out|deal with|dealt with|teach a lesson|"
    "teach them a lesson|taught a lesson|destroy|destroyed|crush|crushed|die|dies|dead|death|"
    "a good kicking|a kicking|a beating|a good beating|a good hiding|a hiding|a slap|a bullet|"
    "bullets|the rope|a noose|the noose|the gas chamber|gas chambers|the ovens|into the sea|in the ground|"
    "with force|by force|with violence|by any means necessary|"
    "break his legs|break her legs|break their legs|break his neck|break her neck|break their necks|"
    "smash his face in|smash their faces in|kick his head in|kick her head in|hunt down|hunted down|"
    "hunt them down|hunt him down|a slap|a good slap|slapped|stamp on|stamped on|"
    "six feet under|in their graves|in a grave|in the grave|in body bags|in a ditch|"
    "suffer|suffering|bleed|wiped off|annihilate|annihilated|purge|purged|cleanse|cleansed|"
    "ethnic cleansing|genocide|holocaust|pogrom|rid the world|rid this country|rid our town"))

# Violence words that are threats only with a protected person as their object
# (not a place): "sort out the asylum seekers", but "sort out the mosque car park".
WEAK_VIOLENCE = frozenset(_forms(
    "sort out|sorted out|sort them out|deal with|dealt with|hurt|hurting|harm|harmed|attack|attacked|"
    "attacking|beat|crush|crushed|destroy|destroyed|suffer|suffering|die|dies|dead|death|gas|bomb|"
    "kick|smash|burn|burning|hanging|shooting|killing|bashing|bleed|holocaust|genocide|execution|"
    "knife|in hospital|in blood|teach a lesson|put down|cull|culling|in the ground|in a ditch|in the grave"))

WEAPONS = frozenset(_forms(
    "knife|knives|machete|machetes|gun|guns|shotgun|rifle|bat|bats|baseball bat|baseball bats|petrol|"
    "matches|crowbar|crowbars|axe|axes|blade|blades|acid|bricks|brick|molotov|molotovs|pitchforks|"
    "torches|rope|ropes|noose|hammer|hammers|iron bars|bottles|cricket bats|golf clubs"))

HATE_VERBS = frozenset(_forms(
    "hate|hates|hated|hating|h8|despise|despises|despised|loathe|loathes|loathed|detest|detests|detested|"
    "abhor|abhors|can't stand|cannot stand|cant stand|can not stand|can't bear|cannot bear|cant bear|"
    "can't abide|cannot abide|cant abide|sick of|sick and tired of|tired of|fed up with|fed up of|"
    "disgusted by|disgusted with|repulsed by|revolted by|sickened by|contempt for|nothing but contempt|"
    "no respect for|no time for|no love for|no use for|want nothing to do with|hatred for|hatred of|"
    "hatred towards|loathing for|disgust for|allergic to|wish they didn't exist|wish they were dead|"
    "would never vote for|would never hire|would never employ|would never rent to|would never date|"
    "never hire|never employ|never rent to|never date|won't serve|wont serve|refuse to serve|"
    "don't want|dont want|do not want|nobody wants|no one wants|won't have|would rather die than|"
    "fuck|fuck all|fuck the|screw|screw all|f**k|f*ck|don't like|dont like|do not like|dislike|"
    "don't trust|dont trust|do not trust|distrust|mistrust|never trust|can't trust|cannot trust|"
    "would never trust|will never trust|wouldn't trust|would not trust|have no time for|got no time for|"
    "nothing worse than|nothing is worse than|nothing's worse than|nothing lower than|nothing is lower than|"
    "nothing more disgusting than|nothing is more disgusting than|nothing more pathetic than|"
    "nothing more vile than|nothing is more vile than|no one worse than|nobody worse than|"
    "would never let|will never let|never let|wouldn't let|would not let|won't let|wont let|"
    "sick to death of|sick to the back teeth of|had enough of|had it with|sick of the sight of"))

# With the group as subject: "Jews disgust me", "immigrants make me sick".
DISGUST_VERBS = frozenset(_forms(
    "disgust me|disgusts me|disgust us|sicken me|sickens me|repulse me|repulses me|revolt me|revolts me|"
    "make me sick|makes me sick|make me ill|makes me ill|make me puke|makes me puke|make me vomit|"
    "makes me vomit|make me retch|turn my stomach|turns my stomach|give me the creeps|make my skin crawl|"
    "makes my skin crawl|make me want to vomit|make me want to puke|make me angry|makes me angry|"
    "make me furious|get on my nerves|gets on my nerves"))

# Linking verbs: a predicate after a group needs one of these in between
# ("Travellers ARE vermin", "why do gay people have to BE so ..."), unless it
# follows the group directly ("immigrant scum", "immigrants ruining our town").
LINKS = frozenset(_forms(
    "are|is|am|was|were|be|been|being|become|becomes|became|seem|seems|look|looks|act|acts|behave|"
    "behaves|remain|remains|r|do|does|did|nothing but|no better than|no more than|little more than|turning into|"
    "turned into|like|just|always|all"))

# Words that make "no" or "not" an intensifier rather than a denial.
INTENSIFYING_DENIALS = frozenset(_forms("nothing but|no better than|no more than|no different than|"
                                        "nothing more than|none other than|not just|not only|no less than"))

# Words between a group and a predicate that show the group is not its subject:
# "refugees are TREATED like animals", "VICTIMS of violent crime".
LINK_BLOCKERS = frozenset(_forms(
    "treated|treat|treating|called|calling|call|labelled|labeled|branded|described|portrayed|seen|viewed|"
    "depicted|victims|victim|against|by|accused|accuse|suffer|suffered|face|faced|facing|experience|"
    "fleeing|flee|fled|escaping|escape|escaped|target|targeted|subjected|exposed|vulnerable|at|"
    "experienced|fear|afraid|risk|targeted|targets|for|about|towards|toward|from|with|said|say|says|"
    "saying|claim|claims|claimed|think|thinks|believe|believes|told|tell|tells|who|which|that|"
    "because|when|where|if|unless|whether|protect|protected|protecting|help|helped|helping|support|"
    "supporting|defend|defending|made|make|makes|feel|felt|feels|unlike|versus|vs|nor|or|and|but|"
    "while|whereas|although|though|if|because|since|so that|than the|than our|than us|than most"))

# Negators. "nothing but", "no better than" are intensifiers, handled as copulas.
NEGATORS = frozenset(_forms(
    "not|n't|never|no|none|nobody|neither|nor|hardly|barely|isnt|arent|aint|dont|doesnt|didnt|wont|"
    "cant|cannot|shouldnt|wouldnt|couldnt|mustnt|werent|wasnt|no one|noone|nowhere|nothing"))

# Modal frames. A threat needs one of these before its violent word, or an
# imperative at the start of the clause.
FIRST_PERSON = frozenset(_forms("i|we|me|us|i'm|im|we're|were|our lot|lads|myself|ourselves|my mates|"
                                "my boys|the lads|the boys"))
FUTURE = frozenset(_forms(
    "will|'ll|ll|shall|going to|gonna|goin to|about to|plan to|planning to|intend to|want to|wanna|"
    "would love to|'d love to|would happily|'d happily|can't wait to|cant wait to|cannot wait to|promise|"
    "coming to|coming for|are coming|am coming|gunna|will be|'m going to|are going to|am going to|"
    "would gladly|'d gladly|ready to|will personally|shall personally|gonna go|should|'d|would"))
NORMATIVE = frozenset(_forms(
    "should|must|need to|needs to|ought to|ought|deserve|deserves|deserved|have to|has to|got to|gotta|"
    "it's time to|its time to|time to|better|let's|lets|let us|someone should|somebody should|"
    "someone needs to|somebody needs to|someone ought to|somebody ought to|should all|must all|should be|"
    "must be|needs to be|need to be|ought to be|deserve to be|deserves to be|should get|want|wants|"
    "wish|hope|hoping|would be better if|be better if|better if|better off|i say|i vote|we should|we must|"
    "we need to|why not|the only good|the only solution|final solution|"
    "solution is to|answer is to|only answer|only way|need|needs"))
IMPERATIVE_OPENERS = frozenset(_forms("just|go|please|now|somebody|someone|everyone|lads|boys|lets|let's|"
                                      "come on|and|then|so|time to|all|y'all|you"))

# Pronouns and phrases that refer back to a group named earlier.
GROUP_PRONOUNS = frozenset(_forms(
    "they|them|their|theirs|themselves|those people|these people|such people|people like that|"
    "people like them|people like this|the likes of them|their kind|that lot|this lot|those ones|"
    "these ones|that kind|that sort|his kind|her kind|every last one|all of them|every one of them|"
    "each of them|one of them|any of them|most of them|the lot of them|every single one|em|'em"))
INDIVIDUAL_PRONOUNS = frozenset(_forms("him|her|he|she|you|it"))

# Reporting and quoting: hate inside these frames is reported, not asserted,
# when the comment also condemns it.
REPORTING = frozenset(_forms(
    "say|says|said|saying|claim|claims|claimed|claiming|think|thinks|thought|thinking|believe|believes|"
    "believed|believing|call|calls|called|calling|wrote|write|writes|writing|written|post|posts|posted|"
    "posting|tweet|tweets|tweeted|shout|shouts|shouted|shouting|yell|yelled|scrawled|sprayed|painted|"
    "graffiti|leaflet|leaflets|sign|signs|banner|slogan|slogans|chant|chanted|chanting|statements|"
    "statement|comments|comment|remarks|remark|words|phrases|phrase|language|insult|insults|insulted|"
    "slur|slurs|rhetoric|messages|message|argument|arguments|idea|ideas|notion|suggest|suggests|"
    "suggested|suggesting|imply|implies|implying|spread|spreading|repeat|repeating|repeated|pretend|"
    "pretending|label|labelling|labels|brand|branding|describe|describing|described|refer|referred|"
    "referring|heard|hear|hearing|told|tells|telling|tell|accuse|accused|accusing|suggestion|lie|lies|"
    "myth|myths|stereotype|stereotypes|trope|tropes|propaganda|nonsense|bile|like|daubed|read|"
    "tweets|video|hate mail|letter|shouting at|called me|called him|called her|called them|chants|"
    "according to|apparently"))

# Words that condemn what was reported ("vile", "racist", "should be ashamed").
CONDEMNATION = frozenset(_forms(
    "vile|wrong|disgusting|disgraceful|disgrace|hateful|hate speech|hate crime|hate crimes|racist|racism|"
    "racists|bigot|bigots|bigoted|bigotry|homophobic|homophobia|transphobic|transphobia|misogynist|"
    "misogynistic|misogyny|sexist|sexism|xenophobic|xenophobia|antisemitic|antisemitism|anti-semitic|"
    "islamophobic|islamophobia|ableist|ableism|prejudice|prejudiced|offensive|hurtful|hurts|hurt|"
    "untrue|false|nonsense|lies|a lie|lie|ashamed|shame|shameful|shameless|unacceptable|not acceptable|"
    "appalling|appalled|horrible|horrific|abhorrent|despicable|sickening|sickened|repugnant|revolting|"
    "ignorant|ignorance|dehumanising|dehumanizing|slur|slurs|condemn|condemned|condemns|report|reported|"
    "reporting|police|remove|removed|removing|delete|deleted|no place|stop|stopped|challenge|challenged|"
    "called out|call out|calling out|idiot|idiots|moron|stupid|pathetic|cruel|evil|nasty|awful|terrible|"
    "upsetting|upset|distressing|frightening|scary|threatening|intimidating|abuse|abusive|harassment|"
    "disagree|rubbish|garbage|ridiculous|absurd|bullshit|myth|a myth|propaganda|dangerous|toxic|"
    "not an acceptable|not acceptable|never acceptable|not right|not on|out of order|spreading hate|spread hate|"
    "hatred|hate|sick of people|tired of people|fed up with people|hate it when|hate when|hate how|"
    "hate the way|can't stand it when|cannot stand people who|hateful|bigoted|tired of hearing|"
    "sick of hearing|fed up of hearing|fed up with hearing|so tired of|sick and tired of|arrested|charged|"
    "convicted|jailed|prosecuted|sentenced|cautioned|investigated|investigating|"
    "never ok|not ok|not okay|never okay|inexcusable|unforgivable|outrageous|outraged|shocking|shocked|"
    "disgusted|saddened|sad|angry|furious|fight|stand against|stand up to|solidarity|support|welcome|"
    "respect|lost all respect|grow up|sort yourself out|be better|meet your neighbours|get to know|"
    "educate|stereotype|stereotypes|trope|tropes|scapegoat|scapegoating|dog whistle|far right|fascist|"
    "fascists|nazi|nazis|thug|thugs|coward|cowards|cowardly"))

# Frames that mark reported hate as rejected without a separate condemnation.
COUNTER_FRAMES = (
    ("if", "you", "think"), ("if", "you", "believe"), ("if", "you", "say"), ("if", "you", "reckon"),
    ("if", "you", "really", "think"), ("if", "anyone", "thinks"), ("if", "someone", "thinks"),
    ("stop", "calling"), ("stop", "saying"), ("stop", "claiming"), ("stop", "pretending"),
    ("stop", "spreading"), ("stop", "treating"), ("stop", "suggesting"), ("quit", "saying"),
    ("don't", "call"), ("do", "not", "call"), ("never", "call"), ("stop", "talking", "about"),
    ("it", "is", "not", "true", "that"), ("it's", "not", "true", "that"), ("not", "true", "that"),
    ("it", "is", "a", "myth", "that"), ("it's", "a", "myth", "that"), ("the", "myth", "that"),
    ("the", "lie", "that"), ("the", "idea", "that"), ("the", "notion", "that"), ("the", "claim", "that"),
    ("the", "stereotype", "that"), ("the", "assumption", "that"), ("nonsense", "that"),
    ("don't", "believe"), ("do", "not", "believe"), ("don't", "think"), ("do", "not", "think"),
    ("never", "said"), ("no", "one", "should", "say"), ("nobody", "should", "say"), ("wrong", "to", "say"),
    ("wrong", "to", "call"), ("wrong", "to", "think"), ("it's", "wrong", "to"), ("is", "wrong", "to"),
    ("how", "dare"), ("whoever", "said"), ("whoever", "wrote"), ("whoever", "thinks"), ("anyone", "who", "says"),
    ("anyone", "who", "thinks"), ("people", "who", "say"), ("people", "who", "think"), ("those", "who", "say"),
    ("those", "who", "think"), ("you", "can't", "say"), ("you", "cannot", "say"), ("can't", "just", "say"),
    ("your", "comment", "that"), ("your", "claim", "that"), ("your", "suggestion", "that"), ("your", "view", "that"),
    ("your", "idea", "that"), ("the", "suggestion", "that"), ("his", "claim", "that"), ("her", "claim", "that"),
)

# Words that take a quoted or reported attack as the speaker's own ("... are true", "and they're right").
ENDORSEMENTS = frozenset(_forms(
    "is true|are true|is right|are right|is correct|are correct|so true|spot on|i agree|we agree|agree with|"
    "well said|hit the nail|they're right|theyre right|he's right|hes right|she's right|shes right|"
    "they are right|he is right|she is right|not wrong|no lie|dead right|bang on"))

# Negative consequences that make a neutral-looking mention of a group derogatory
# ("the whole road goes downhill", "say goodbye to our safe streets").
NEGATIVE_CONSEQUENCES = frozenset(_forms(
    "goes downhill|go downhill|gone downhill|going downhill|went downhill|downhill|lowers the tone|"
    "lower the tone|lowering the tone|say goodbye to|goodbye to|there goes the neighbourhood|"
    "lock your doors|lock up your|hide your|property prices|house prices drop|crime goes up|crime rate|"
    "no-go|no go area|no go zone|ghetto|never get fixed|never gets fixed|never get done|never gets done|"
    "shambles|breeding grounds|breeding ground|bombers|handouts|"
    "free houses|free housing|jump the queue|queue jumpers|nobody else|no one else|none of us|"
    "the rest of us|rest of us|us locals|real locals|the locals|locals lose|we lose|our jobs|"
    "taking our|take our|took our|stealing our|steal our|overrun|swamped|"
    "infested|invaded|taken over|outnumbered|replaced|replacement|ruined|ruin|"
    "what do you expect|what did you expect|no wonder|of course|surprise surprise|as usual|typical|"
    "predictably|obviously|figures|says it all|tells you everything|ugh|yuck|eww|urgh|gross"))
# Phrases that put a group under a negative quantity: "overrun with", "too many".
SWAMPING = frozenset(_forms(
    "too many|overrun with|overrun by|swamped by|swamped with|infested with|flooded with|taken over by|"
    "invaded by|crawling with|teeming with|full of|overflowing with|sick of all the|no more|enough of|"
    "way too many|far too many|so many|another|more|typical"))
