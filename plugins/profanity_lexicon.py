"""Word data for the profanity plugin beyond better-profanity's list.

Kept apart from the matcher so that the choices can be read (and argued with)
in one place:

* :data:`MILD`: mild British swearing. Ofcom's research into attitudes to
  offensive language (2016, 2021) rates these "mild" or "medium"; a council page
  should not publish them unseen, but they are not abuse either, so they hold by
  default (the plugin's ``mild`` setting can reject or allow them). Mild
  *insults* that are not swearing (plonker, pillock, wazzock, git, prat, numpty)
  are left alone, as ``moron`` and ``stupid`` already are: calling a councillor
  a plonker is robust political speech.
* :data:`BRITISH_STRONG`: strong British vulgarities better-profanity lacks.
* :data:`FOREIGN`: common strong swear words of the languages UK residents write
  in besides English (French, Spanish, Portuguese, Italian, German, Dutch,
  Polish, Czech/Slovak, Russian, Turkish, Arabic, Welsh, and Urdu, Punjabi and
  Hindi in Latin script), in the folded form the matcher compares (accents
  dropped, ``ß`` as ``ss``). Each was checked not to be an English word or a UK
  place name; words that are also given names or surnames (Randi, Lauda) are
  names (ignored when capitalised) or left out (Lund, Pula, Troia, Kut), and
  so are words that English words reach by repeating letters (``pute``: puttee).
  The tier follows the English equivalent in this plugin: "shit" is strong here,
  so ``merde`` and ``scheisse`` are too.
* :data:`PLACES`: a gazetteer of UK places and streets whose names contain a
  listed word as a word of their own (``Twatt``, ``Nob End``, ``Cock Bridge``).
  Places that merely *contain* a listed word inside a longer word (Scunthorpe,
  Penistone, Cockermouth, Shitterton) never match, because the matcher compares
  whole tokens.
* :data:`HONORIFICS`, :data:`LOCATIVES`, :data:`PLACE_ELEMENTS`: the contexts in
  which a capitalised word is a person's or a place's name.
"""

from __future__ import annotations

MILD = "mild"

# Mild British swearing (single words; their inflections are listed because the
# suffix rule is kept to strong stems).
MILD_WORDS = frozenset("""
arse arses arsed arsey arsy arsing arseing
bollocks bollock bollocked bollocking bollockings bollocksed bollox
bugger buggers buggered buggering buggery
sodding
feck fecks fecking feckin fecked
minger mingers minging mingin munter munters
bint bints tosspot tosspots
""".split())

# Mild swearing that is only swearing in a phrase: "sod" alone is turf (the
# first sod of a new library is cut), "knob" alone is on a door.
MILD_PHRASES = (
    "sod off", "sod it", "sod all", "sod this", "sod that", "sod you", "sod the lot", "sod em",
    "you knob", "what a knob", "absolute knob", "complete knob", "total knob", "utter knob",
)

# Strong British vulgarities that better-profanity lacks (Ofcom: "strong").
BRITISH_STRONG = frozenset("""
minge minges clunge clunges punani punany bloodclaat bloodclot bumbaclot bumboclaat
gobshite gobshites shitehawk
""".split())
BRITISH_STRONG_PHRASES = ("beef curtains",)

# Common strong swear words in other languages, folded (see the module docstring).
FOREIGN_STRONG = frozenset("""
salaud salauds enfoire enfoires
merde merdes putain putains connard connards connasse connasses salope salopes encule encules enculer
puta putas puto putos mierda joder jodete jodido jodida cabron cabrones gilipollas pendejo pendejos
pendeja chinga chingada chingado chingar hijoputa hijueputa malparido culero culeros maricon maricones
caralho foda fodase fodasse fodido merda
cazzo cazzi vaffanculo fanculo affanculo stronzo stronza stronzi minchia puttana puttane coglione
coglioni
scheisse scheiss arschloch arschlocher arschgeige fotze fotzen wichser hurensohn hurensohne
ficken fickt gefickt schlampe miststuck drecksau
klootzak klootzakken godverdomme
kurwa kurwy kurwo kurwe kurwami kurva kurvo chuj chuja chuje huj pierdol pierdole pierdolic
pierdolony pierdolona spierdalaj spierdalac wypierdalaj jebac jebany jebana jebane jebie skurwysyn
skurwysynu skurwiel pizda pizdy bazmeg
blyat blyad pizdec pizdets nahui nahuy khuy khui yebat yobany mudak mudaki pidor pidoras pidaras
siktir sikerim orospu
sharmouta sharmuta sharmoota
ffycin ffwcin ffwcio cachu
bhenchod behenchod benchod bhanchod bhenchood penchod madarchod maderchod madarchood motherchod
chutiya chutia chootiya chutiye bhosdike bhosdiwala bhosdiwale bhosda bhosdi gandu gaandu lawda lodu
haramzada haramzade haramzadi kanjri basdad
""".split())
FOREIGN_MILD = frozenset("""
porra dupa arsch javla carajo culo kacke gaand bawbag bawbags
""".split())
# Ambiguous: a common innocent meaning or use besides the swear word.
FOREIGN_AMBIGUOUS = frozenset("""
batard harami haramkhor kanjar cono suka hure bordel
""".split())
# Given names and surnames as well: ignored when capitalised, like Dick and Fanny.
FOREIGN_NAMES = frozenset({"randi", "lauda", "verga"})
FOREIGN_PHRASES = {
    "twll dy din": "strong", "nique ta mere": "strong", "fick dich": "strong", "kos omak": "strong",
    "kus emak": "strong", "fils de pute": "strong", "ta gueule": "mild", "verpiss dich": "mild",
    "pog mo thoin": "mild",
}

# Words that are never a name or a place however they are written: the proper-noun
# rules below do not apply to words containing these (a site can still list a
# real name in its ``names`` setting).
NEVER_PROPER_STEMS = ("fuck", "fuk", "fck", "cunt", "motherf", "nigg", "wank", "shit", "kike",
                      "spic", "gook", "wetback", "retard", "paki")

# Titles before a person's name: "Cllr Dick Cox", "Mr Bastard", "Dr. Balls".
HONORIFICS = frozenset("""
cllr councillor mr mrs ms miss mx dr sir dame lord lady rev revd reverend prof professor
baroness baron canon father sister alderman mayor mayoress rt hon mp msp ms mla
""".split())

# Common British given names (ONS birth registrations across the generations
# living in council areas): a capitalised word after one of these is a surname
# ("Alan Cock", "Mary Balls").
FIRST_NAMES = frozenset("""
aaron abdul abigail adam adrian agnes ahmed aidan alan alex alexander alexandra ali alice alison amanda
amelia amy andrew andy angela ann anna anne annie anthony arthur ava barbara barry ben benjamin beryl
beth betty bill billy bob brenda brian bridget callum carl carol caroline catherine charles charlie
charlotte chloe chris christine christopher claire colin craig daniel danny darren dave david dawn dean
debbie deborah dennis derek diane donna dorothy doris douglas ed edward eileen eleanor elizabeth ella ellie
emily emma eric evelyn fatima frank fred freddie gail gareth gary gavin geoffrey george georgia gemma
gordon grace graham hannah harry harriet hayley heather helen henry holly ian imran irene isabella isla
jack jackie jacob james jamie jane janet jason jean jennifer jenny jessica jill jim jimmy joan joanne joe
john jonathan joseph josh joshua joyce judith julie karen kate katie keith kelly ken kenneth kevin kim
kirsty laura lauren leah lee leslie lewis liam lily linda lisa louise lucy luke lynn maisie margaret maria
marie mark martin mary matthew maureen megan michael michelle mike mohammed muhammad nathan neil nicola
nigel noah norman oliver olivia oscar owen pamela patricia patrick paul pauline peter philip priya rachel
raj ravi rebecca richard rob robert robin roger ronald rosie ruby russell ruth ryan sally samantha samuel
sandra sarah scott sean sharon sheila shirley simon sophie stanley stephen steve steven stuart sue susan
terry thomas tim timothy tina tom tony tracey trevor valerie vera victoria vincent wendy william yasmin
zara zoe
""".split())

# Words before a place name: "I live in Twatt", "the bus to Cock Bridge".
LOCATIVES = frozenset("""
in at near nr from to into outside around towards toward via through beyond past
""".split())

# The last word of a place or street name: "Nob End", "Titty Hill", "Cock Lane".
PLACE_ELEMENTS = frozenset("""
Road Rd Lane Ln Street St Avenue Ave Close Drive Way Hill Hills End Green Bottom Common Farm
Wood Woods Park Square Terrace Crescent Place Gardens Grove Row Court Bridge Cross Moor Fell
Beck Brook Village Parish Ward Estate Station Mews Walk Rise Vale Valley Bank Field Fields
Heath Marsh Mill Mount Yard Alley Hall Manor House Cottage Cottages Wharf Quay Bay Head Point
Island Isle Water Loch Burn Glen Barn Lodge
""".split())

# UK places and streets with a listed word as a word of their own, spelt as
# they are signposted. Gazetteer-style: villages, hamlets, hills and streets
# from Ordnance Survey names, grouped by the word they contain.
PLACES = (
    # twat: Orkney (Mainland) and Shetland
    "Twatt",
    # cock
    "Cock Bridge", "Cock Lane", "Cock Green", "Cock Clarks", "Cock Alley", "Cock Marling", "Cock Bank",
    "Cock Street", "Cock Hill", "Cock Bevington", "Cock Gate", "Cock Beck", "Great Cockup", "Little Cockup",
    # nob, knob
    "Nob End", "Knob Hill", "Nob Hill", "Nob Green",
    # titty, balls, willy
    "Titty Hill", "Titty Ho", "Sandy Balls", "Balls Cross", "Balls Green", "Brown Willy",
    # dyke: Lincolnshire village, Brighton street, earthworks
    "Dyke", "Dyke Road", "Offa's Dyke", "Devil's Dyke", "Wansdyke", "Dykes",
    # slut, slag, minge, hooker, butt
    "Slutshole Lane", "Slag Lane", "Minge Lane", "Hooker Road", "Butt Hole Road", "Butt Lane",
    # bell end, nob end, pratt
    "Bell End", "Pratts Bottom",
    # historical street names a heritage page may discuss
    "Gropecunt Lane",
)
