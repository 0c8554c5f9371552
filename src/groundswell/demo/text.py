"""Vocabulary and post templates for the demo world.

Everything here is data: names, places, products and the template banks the
world fills in. Templates use ``str.format_map`` fields; the world passes one
context per conversation so a thread stays about the same store and product.
No template contains an ASCII double quote (curly quotes only), which keeps
the written CSV easy for any dialect sniffer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_BRAND = "Northwind Outfitters"

# -- who and where ----------------------------------------------------------------

TOWNS: tuple[str, ...] = (
    "Keswick", "Ambleside", "Kendal", "Windermere", "Fort William", "Aviemore", "Inverness",
    "Edinburgh", "Glasgow", "Stirling", "Perth", "Aberdeen", "Betws-y-Coed", "Llanberis",
    "Cardiff", "Swansea", "Brecon", "Hathersage", "Buxton", "Sheffield", "Manchester",
    "Leeds", "York", "Harrogate", "Skipton", "Durham", "Newcastle", "Hexham", "Bristol",
    "Bath", "Exeter", "Plymouth", "Truro", "Oxford", "Cambridge", "Norwich", "London Covent Garden",
    "London Camden", "Birmingham", "Nottingham", "Belfast", "Derry",
)  # fmt: skip
WELSH_TOWNS = frozenset({"Betws-y-Coed", "Llanberis", "Cardiff", "Swansea", "Brecon"})
STAFF_NAMES: tuple[str, ...] = (
    "Jess", "Tom", "Priya", "Callum", "Aisha", "Rhys", "Megan", "Dev", "Ellie", "Fraser", "Niamh",
    "Owen", "Zara", "Kwame", "Isla", "Marek", "Hannah", "Sean", "Ffion", "Raj", "Lucy", "Ewan",
    "Sophie", "Tariq", "Morag", "Ben", "Chloe", "Dylan", "Amara", "Gareth", "Freya", "Liam",
)  # fmt: skip
TEAM: tuple[tuple[str, str], ...] = (
    ("Kiran Chauhan", "admin"), ("Alex Adeyemi", "agent"), ("Mel Owens", "agent"),
    ("Sam Lindqvist", "agent"), ("Jo Pritchard", "viewer"),
)  # fmt: skip
SIGNATURES: tuple[str, ...] = ("^KC", "^AA", "^MO", "^SL", "-AA", "-MO")
FIRST_NAMES: tuple[str, ...] = (
    "sam", "alex", "jamie", "priya", "tom", "lauren", "mo", "ciara", "dan", "emma", "josh", "aisha",
    "rory", "kate", "ben", "lena", "olu", "hannah", "matt", "ffion", "chris", "nadia", "jack", "amy",
    "luke", "zoe", "ravi", "beth", "ollie", "maya", "gav", "sian", "kai", "holly", "ian", "tash",
    "pete", "jo", "adam", "ellen", "fin", "rosie", "yusuf", "grace", "max", "leah", "ed", "anya",
    "craig", "mairi", "theo", "jen", "will", "saoirse", "nick", "lily", "deepak", "ruth", "harry",
    "megan", "stu", "keira", "neil", "tara", "omar", "fran", "hugh", "bea", "lewis", "ana", "marcus",
    "isla", "rob", "noor", "dave", "cat", "sunil", "molly", "jon", "evie", "ali", "kirsty", "joe",
)  # fmt: skip
HANDLE_WORDS: tuple[str, ...] = (
    "hikes", "outdoors", "fellwalker", "munros", "peaks", "trails", "bothy", "camper", "ridge",
    "wildcamps", "climbs", "rambles", "adventures", "scrambler", "summits", "northface", "goes",
    "walks", "explores", "runs", "paddles", "bikes", "uk", "wanders", "tarn", "crag", "ghyll",
    "moor", "dale", "glen", "loch", "cairn", "cwm", "scree", "bivvy", "trek", "roams", "mtb",
)  # fmt: skip
INSTANCES: tuple[str, ...] = ("mastodon.social", "fosstodon.org", "mastodon.scot", "toot.wales", "mas.to")
PLACES: tuple[str, ...] = (
    "Helvellyn", "Snowdon", "Ben Nevis", "Scafell Pike", "the Cairngorms", "Kinder Scout",
    "Dartmoor", "Striding Edge", "the West Highland Way", "Pen y Fan", "Cadair Idris", "Skye",
    "the Pennine Way", "Catbells", "Glencoe", "Tryfan", "Mam Tor", "the Coast to Coast",
)  # fmt: skip
# (name, price, kind): kind picks the ways it can fail; plural names take "are".
PRODUCTS: tuple[tuple[str, int, str], ...] = (
    ("Ridgeline 2 tent", 249, "tent"), ("Cairn 45L rucksack", 119, "bag"), ("Stormshell jacket", 179, "coat"),
    ("Trailhead boots", 139, "feet"), ("Bothy down jacket", 199, "coat"), ("Summit flask", 25, "kit"),
    ("merino base layer", 55, "coat"), ("Tarn waterproof trousers", 89, "coat"), ("Scree trail shoes", 99, "feet"),
    ("Glen fleece", 49, "coat"), ("Moorland sleeping bag", 159, "bag"), ("Ghyll dry bag", 19, "bag"),
    ("Crag head torch", 35, "kit"), ("walking poles", 45, "kit"), ("Fellrunner vest", 69, "bag"),
    ("Skiddaw walking socks", 18, "feet"), ("Bivvy bag", 79, "tent"), ("insulated gloves", 29, "coat"),
    ("Pennine gaiters", 32, "coat"), ("camping stove", 59, "kit"),
)  # fmt: skip
PLURAL_PRODUCTS = frozenset({"Trailhead boots", "Scree trail shoes", "walking poles", "Tarn waterproof trousers",
                             "insulated gloves", "Pennine gaiters", "Skiddaw walking socks"})  # fmt: skip
SIZES: tuple[str, ...] = ("a size 9", "a 42", "a small", "a medium", "a large", "an XL", "a size 6", "a 7.5")
FAILURES: dict[str, tuple[str, ...]] = {
    "tent": (
        "snapped a pole",
        "leaked on the first wet night",
        "split at the seam",
        "lost its guy lines in the first gust",
    ),
    "bag": ("ripped at the shoulder strap", "lost a buckle", "had the zip go", "split at the seam"),
    "coat": (
        "leaked on the first wet day",
        "had the zip go",
        "split at the seam",
        "delaminated",
        "went bobbly after two washes",
    ),
    "feet": ("came apart at the sole", "leaked on the first wet day", "split at the toe", "lost a lace hook"),
    "kit": ("stopped working", "cracked", "broke at the clip", "gave up on day one"),
}
DEFECTS: tuple[str, ...] = (
    "a hole in the sleeve", "a broken zip", "no poles in the bag", "mud already on the soles",
    "two left gloves", "the wrong colour", "a cracked lid",
)  # fmt: skip
POSITIVE_EMOJI: tuple[str, ...] = ("", "", "", " 🙌", " 💚", " 🏔️", " 😍", " 👏", " ⛺", " 🥾", " ☀️")
NEGATIVE_EMOJI: tuple[str, ...] = ("", "", "", " 😤", " 🙄", " 😡", " 👎", " 😞", " 🤦")

# -- the brand --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Identity:
    """A brand's names: handles per platform, campaign tags and links, stores."""

    brand: str
    slug: str
    site: str
    support: str  # twitter customer-service account
    marketing: str  # twitter main (marketing) account
    mastodon: str
    bluesky: str
    contest_name: str
    contest_tag: str
    contest_link: str
    ad_name: str
    ad_tag: str
    ad_link: str
    stores: tuple[str, ...]


def identity(brand: str = DEFAULT_BRAND, stores: int = 40) -> Identity:
    """Every name the world and its config use, derived from the brand name alone."""
    words = re.findall(r"[A-Za-z0-9]+", brand)
    slug = words[0].capitalize() if words else "Brand"
    low = slug.lower()
    site = f"{low}.example"
    # The default brand keeps the plain ad tag; others get their own so two brands never share one.
    ad_tag = "#IntoTheWild" if brand == DEFAULT_BRAND else f"#IntoTheWildWith{slug}"
    return Identity(
        brand=brand,
        slug=slug,
        site=site,
        support=f"{slug}Help",
        marketing=slug,
        mastodon=f"{low}@mastodon.social",
        bluesky=f"{low}.bsky.social",
        contest_name=f"{slug} Summit Challenge",
        contest_tag=f"#{slug}Summit",
        contest_link=f"{site}/summit",
        ad_name="Into the Wild (film)",
        ad_tag=ad_tag,
        ad_link=f"{site}/intothewild",
        stores=TOWNS[: max(1, min(stores, len(TOWNS)))],
    )


# -- customer posts: (opener, core, tail) banks -------------------------------------

# Openers end a sentence or take a lowercase core; compose() fixes the case.
COMPLAINT_OPENERS = ("", "", "", "Honestly? ", "Not impressed. ", "Ugh. ", "Hi, ", "Come on. ", "Seriously, ")
COMPLAINT_TAILS = ("", "", " Not good enough.", " Really disappointed.", " Sort it out please.", " #fail", " Again.")
QUESTION_OPENERS = ("", "", "Hi! ", "Quick one: ", "Hey, ", "Hello, ", "Morning! ")
QUESTION_TAILS = ("", "", " Thanks!", " 🙏", " Cheers", " Thanks in advance", " x")
PRAISE_TAILS = ("", "", " Thank you!", " Love it.", " Cheers!", " Happy customer.", " 10/10")

STORE_GOOD = (
    "{staff} at the {town} store spent half an hour finding me boots that actually fit. Proper service.",
    "Shout out to {staff} in {town} who talked me out of the pricey jacket and into the one I needed.",
    "In and out of {brand} {town} in five minutes, no queue, and they had my size.",
    "Returned my {product} at {town} without the receipt, no fuss at all. Didn't expect that.",
    "The {town} shop had the {product} in stock when nowhere else did.",
    "{staff} at {town} fitted my rucksack properly and my back has never been happier.",
    "Popped into {town} for gas canisters, came out with great route advice for {place} from {staff}.",
    "Lovely staff at the {town} store today, even with the place rammed.",
    "Got my {product} re-proofed at {town} while I waited. Brilliant.",
    "Honest advice at {brand} {town}: told me my old boots had another season in them.",
    "Kids' boot fitting at {town} this morning: patient, kind and quick.",
)
# (complaint, the reply that actually fixes it): a helpful answer answers *this* post.
STORE_BAD = (
    ("Queued {n} minutes at the {town} store with one till open.",
     "Sorry {name}, that's far too long. I've shared this with the {town} manager and they're adding a second till at busy times from this weekend. {sig}"),
    ("Nobody on the shop floor at {town} for 20 minutes, then told to check the website.",
     "That's not the help we want you to get, {name}. The {town} manager is calling you today, and {staff} can do a one-to-one fitting whenever suits. {sig}"),
    ("{town} store had no {product} in {size} again. Third time this month.",
     "Sorry {name}! I've reserved the {product} in {size} at {town} from Thursday's delivery, under your name, free to collect. {sig}"),
    ("Tried to return my {product} at {town} and got told it's online returns only. Since when?",
     "It isn't, {name}, and I'm sorry you were told that. Any store takes online returns; I've let {town} know and you can pop back any time. {sig}"),
    ("Website said {town} had the {product} in stock. It did not. Wasted a 40 minute drive.",
     "Sorry for the wasted trip, {name}. Stock levels were a day out; I've sent one to your door free of charge and a £10 voucher for the fuel. {sig}"),
    ("Staff at {town} more interested in chatting to each other than helping anyone.",
     "Thanks for telling us, {name}. That's not good enough and the {town} manager is following up with the team today. {sig}"),
    ("Returns desk at {town} closed at 3pm on a Saturday??",
     "Sorry {name}, it shouldn't close till 6. It was a staffing gap; the tills can take returns too, and {staff} will sort yours today. {sig}"),
    ("Bought the {product} at {town}, {failure} after {weeks} weeks and the store says contact head office.",
     "We'll sort it here, {name}: that's a fault, so it's a free replacement. Take it to {town} and they'll swap it on the spot; I've told them you're coming. {sig}"),
    ("Fitting room at {town} has been out of order for a month.",
     "Sorry {name}, that's far too long. The repair is booked for Tuesday, and until then {staff} can open the staff room for fittings. {sig}"),
    ("Asked for help choosing a tent at {town} and was told to Google it. Actually told to Google it.",
     "Oh no, {name}. That's not us. {staff} at {town} knows tents inside out and would love to help: shall I book you a slot this week? {sig}"),
    ("{n} minutes in the click and collect queue at {town} for one parcel.",
     "Sorry {name}. Click and collect now has its own desk by the door at {town}; it opened this morning. {sig}"),
)  # fmt: skip
QUESTIONS = (
    ("does the {town} store have the {product} in {size}?",
     "Hi {name}! {town} has the {product} in {size}: I've asked the team to put one aside for you until Saturday. {sig}"),
    ("what time does {town} close on Sundays?",
     "Hi {name}, {town} is open 10 till 4 on Sundays. See you there! {sig}"),
    ("can I return something I bought online to the {town} shop?",
     "Yes {name}, online orders can go back to any of our {stores} stores. Just bring the order email. {sig}"),
    ("is the {product} any good for {place} in winter?",
     "Good question {name}! The {product} {is} rated for winter use; pair it with a merino layer and you're set for {place}. {sig}"),
    ("when is the {product} back in stock? Been out for weeks.",
     "Hi {name}, the {product} {is} back in stock on Thursday. I've set a reminder on your account so you hear first. {sig}"),
    ("do you price match? Saw the {product} cheaper elsewhere.",
     "We do, {name}! Show the cheaper price at the till or send me the link and I'll send you a code for the difference. {sig}"),
    ("how do I re-proof my {product}? The label's washed off.",
     "Hi {name}: wash it with tech wash, then spray-on proofer and a low tumble dry. Or bring it in and we'll do it free in store. {sig}"),
    ("is there parking at the {town} store?",
     "Hi {name}, yes: free parking behind the {town} store, and two charging points. {sig}"),
    ("order {order} says delivered but there's nothing here. What do I do?",
     "Found it, {name}: {order} went to a neighbour by mistake. It's being redelivered tomorrow and I've refunded the postage. {sig}"),
    ("can I change the delivery address on order {order}?",
     "Done, {name}! {order} will go to the new address; DM me the details and it's changed before it leaves the warehouse. {sig}"),
    ("does the {product} come with a repair kit?",
     "It does, {name}: there's a repair kit in the side pocket, and repairs are free for life in any store. {sig}"),
    ("is the {town} store doing boot fitting this weekend?",
     "Yes {name}! {staff} is fitting boots at {town} all weekend: no booking needed. {sig}"),
)  # fmt: skip
COMPLAINTS = (
    ("my {product} {failure} after {weeks} weeks. Not good enough at £{price}.",
     "Sorry {name}, that's a fault. A replacement is on its way, with you by Friday, no need to send the old one back. {sig}"),
    ("order {order} is {days} days late and the tracking hasn't moved.",
     "Hi {name}, I've chased the courier: {order} is at the local depot and arrives tomorrow before noon. Delivery refunded. {sig}"),
    ("charged twice for order {order}. Please refund the second one.",
     "Thanks for telling us, {name}. I've refunded the duplicate charge on {order}; it'll show in 3 to 5 working days. {sig}"),
    ("still no refund for my {product}, {days} days after you got it back.",
     "That's on us, {name}, sorry. Refund processed just now, and I've added a £10 voucher for the wait. {sig}"),
    ("my {product} arrived with {defect}.",
     "Sorry {name}! A new {product} goes out today by express, and a courier will collect the faulty one. {sig}"),
    ("you sent the wrong size {product} and now returns cost me £4.95?",
     "Our mistake, so it shouldn't cost you anything, {name}. Right size sent today and a free returns label is in your inbox. {sig}"),
    ("on hold for {n} minutes to your customer service line and counting.",
     "Sorry for the wait, {name}. I can help right here: what's the problem? DM me and I'll pick it up straight away. {sig}"),
    ("your app keeps logging me out at checkout. Lost my basket twice.",
     "Sorry {name}, that's a known bug and the fix went live an hour ago. Update the app and your basket is saved again. {sig}"),
    ("the {product} {failure} on {place}. Soaked and freezing.",
     "Really sorry {name}. That's not what it's made for; I've booked a free replacement and a courier pickup for Monday. {sig}"),
)  # fmt: skip
PRAISE = (
    "{product} survived {days} days on {place} in sideways rain. Bone dry.",
    "Five years on and my {product} {is} still going strong.",
    "Best £{price} I've spent all year: the {product}.",
    "Summit of {place} this morning in my new {product}.",
    "Delivery came a day early and the {product} {is} perfect.",
    "Wore the {product} up {place} and back. Not a single blister.",
)
CHAT = (
    "anyone tried the {product} from {brand}? Worth it?",
    "is the {brand} sale on already? Wallet in danger.",
    "thinking of getting the {product}. {brand} or somewhere else?",
    "walked past the new {brand} in {town} today, looks huge.",
    "{brand} or Decathlon for a first tent? Go.",
    "the {brand} catalogue arrived and now I want everything.",
)
CONTEST_BUZZ = (
    "Just entered the {ctag} challenge! {place} here I come",
    "Summit photo from {place} for {ctag}, fingers crossed for that year of kit",
    "My entry for {ctag}: {place} at sunrise, worth the 4am start",
    "{ctag} has got our whole walking group competitive",
    "Who else is doing {ctag}? Need a team for {place}",
    "Win a year of kit? Count me in {ctag}",
    "Day 3 of trying to get a clear summit shot for {ctag}. Cloud 3, me 0",
    "Entered {ctag} with a photo of my dog on {place}. He deserves the kit more than me",
)
AD_BUZZ = (
    "That new {brand} ad with the fox. Not crying, you're crying {atag}",
    "Watched the {atag} film three times now, the soundtrack is everything",
    "whoever made the {brand} {atag} ad deserves an award",
    "The {atag} advert came on at the cinema and the whole room went quiet",
    "what's the song in the {brand} {atag} ad??",
    "Not sure an ad should make me want to quit my job and live in a bothy {atag}",
    "ok the {brand} ad is actually beautiful {atag}",
    "Everyone at work is talking about the {atag} ad. Marketing team earned their bonus",
)
VIRAL_KINDNESS_ORIGIN = (
    "{staff} at {brand} {town} found my dad's walking poles after closing and drove them 30 miles "
    "to his B&B so he could finish {place} the next day. He's 78. Who does that?!\n\nThank you {staff}."
)
VIRAL_KINDNESS = (
    "This story about {staff} at {brand} {town} has restored my faith in people",
    "{brand} give {staff} a pay rise",
    "Just read the {staff} thread. Going to {town} just to say thanks",
    "This is what customer service looks like. Well done {staff}",
    "Crying at the {staff} story. More of this please",
    "Shopped at {brand} {town} for years and this doesn't surprise me at all. {staff} is a star",
    "The {staff} story is the best thing on here today",
    "If {brand} doesn't make {staff} employee of the year I riot",
)
VIRAL_FAILURE_ORIGIN = (
    "My {product} {failure} halfway up {place} in a storm last night. Two kids, 2am, "
    "rain coming in sideways.\n\nThread on what happened next 🧵"
)
VIRAL_FAILURE = (
    "Just seen the {product} thread. Mine did exactly the same last month",
    "Is the {product} safe? Asking before our trip this weekend",
    "Cancelling my {product} order after that thread",
    "The {product} story is terrifying. {brand} need to say something",
    "Took my {product} back to {town} today after seeing that thread",
    "Has {brand} responded to the {product} thread yet?",
)
# lang -> (complaint, question, praise, thanks, unhappy)
FOREIGN: dict[str, tuple[str, str, str, str, str]] = {
    "fr": ("Ma commande {order} n'est toujours pas arrivée, des nouvelles ?",
           "Est-ce que le magasin de {town} a le {product} en stock ?",
           "Super accueil au magasin {brand} de {town}, merci {staff} !",
           "Merci beaucoup, c'est réglé !", "Toujours rien. Très déçu."),
    "de": ("Meine Bestellung {order} ist nach {days} Tagen immer noch nicht da.",
           "Gibt es den {product} noch in {town}?",
           "Tolle Beratung bei {brand} in {town}, danke {staff}!",
           "Danke, hat geklappt!", "Das hilft mir leider gar nicht."),
    "es": ("Mi pedido {order} lleva {days} días de retraso.",
           "¿Tenéis el {product} en la tienda de {town}?",
           "Me encanta mi {product}, aguantó toda la lluvia en {place} 🙌",
           "¡Gracias, solucionado!", "Sigo esperando. Fatal."),
    "cy": ("Dal yn aros am fy archeb {order} ar ôl {days} diwrnod...",
           "Oes gan siop {town} y {product} mewn stoc?",
           "Diolch {staff} yn siop {town}, gwasanaeth gwych!",
           "Diolch yn fawr!", "Dal dim ateb. Siomedig iawn."),
    "ja": ("注文 {order} がまだ届きません。{days}日経っています。",
           "{town}店に{product}の在庫はありますか？",
           "{town}の{brand}で{product}を買いました！最高 🏔️",
           "ありがとうございます！解決しました。", "まだ解決していません…"),
    "nl": ("Mijn bestelling {order} is na {days} dagen nog steeds niet aangekomen.",
           "Heeft de winkel in {town} de {product} op voorraad?",
           "Geweldige service in de {brand} winkel in {town}!",
           "Dank je, opgelost!", "Nog steeds niets gehoord. Jammer."),
}  # fmt: skip
FOREIGN_LANGS: tuple[str, ...] = tuple(FOREIGN)

# -- customer follow-ups --------------------------------------------------------------

THANKS = (
    "Thanks, that's sorted it 🙌", "Brilliant, thank you so much!", "Cheers, that was quick! Much appreciated",
    "Ah perfect, thanks for sorting it", "Got it, thank you! Great service", "Legends. Thank you 💚",
    "Thank you! Collected it this morning, all good.", "That's really kind, thanks {sig_name}",
    "Wow, didn't expect that. Thank you!", "Sorted. Thanks for actually helping!",
)  # fmt: skip
UNHAPPY = (
    "That doesn't help. I've already done that twice.", "A DM isn't an answer. Still waiting.",
    "I've called that number four times. Nobody picks up.", "So that's a no then. Won't be shopping here again.",
    "Copy and paste reply. Brilliant. 🙄", "Still no refund. This is ridiculous.",
    "Done that. Heard nothing back. Again.", "That's not what I asked.",
    "Still broken, still no refund, still waiting 😡",
)  # fmt: skip
UNHAPPY_AGAIN = ("Heard that before.", "We'll see. Not holding my breath.", "Still nothing. Done with this.",
                 "That's what the last person said 🙄")  # fmt: skip
CHASERS = (
    "Still waiting for an answer...", "Hello?? {m}", "Hours later and not a word. Great customer service {m}",
    "Anyone there? {m}", "Bumping this. Still no reply {m}", "Is anyone actually reading these? {m}",
)  # fmt: skip
PEER_REPLIES = (
    "Had the same with mine, {town} swapped it on the spot. Take the receipt.",
    "Ask for {staff} at {town}, they sorted mine in five minutes.",
    "Try the live chat on their website, much quicker than on here.",
    "Same problem here! Following.",
    "The {product} {is} great btw, had mine three years.",
    "Took mine back to the store and got a refund same day, worth a try.",
    "They're usually good about this, give it a day.",
    "Mine took {days} days too, it turned up in the end 🤞",
)
CHAT_REPLIES = ("Go for it, {name}! The {product} {is} one of our best sellers.", "We might be biased, {name}, but yes 😄",
                "Hi {name}! Pop into {town} and {staff} will show you round.")  # fmt: skip
CHAT_PEER = ("Go for it, mine's great!", "Honestly the {product} {is} worth every penny.", "Wait for the sale 😉")
HEARTS = ("❤️", "🙌", "Aw thanks!", "💚", "Thank you 😊")
AGREE = ("Same! 😂", "Right?!", "Agreed, it's brilliant", "Already entered 🤞", "ikr", "Good luck!")
VIRAL_THANKS = "Thank you! He's already planning the next one 💚"

# -- brand posts ---------------------------------------------------------------------

# Answers for posts in other languages (complaint, question), in English like the team writes.
FOREIGN_ANSWERS = (
    COMPLAINTS[1][1],
    "Hi {name}! {town} has the {product} in stock: I've asked the team to put one aside for you until Saturday. {sig}",
)
GENERIC_REPLIES = (
    "Hi {name}, sorry to hear this. Please DM us your order number and we'll take a look. {sig}",
    "We're sorry you feel this way, {name}. Please contact our customer service team via the website. {sig}",
    "Hi {name}, thanks for reaching out. Please check our returns policy at {site}/returns {sig}",
    "Sorry for any inconvenience caused, {name}. Our team is looking into it. {sig}",
    "Hi {name}, we can't discuss orders on here. Please call 0800 000 0000. {sig}",
    "Thanks for getting in touch {name}. We've passed your feedback on. {sig}",
)
FOLLOWUP_HELP = (
    "Also {name}, I've added a £10 voucher to your account for the trouble. {sig}",
    "PS {name}: I've flagged this with the team so it doesn't happen again. {sig}",
    "And if anything else comes up, just reply here: it comes straight to me. {sig}",
    "I've also sent you a DM with my direct line, {name}. {sig}",
)
FOLLOWUP_GENERIC = (
    "Have you had a chance to DM us yet, {name}? {sig}",
    "Just checking in, {name}. Please follow the DM so we can look into this. {sig}",
)
ESCALATIONS = (
    "I understand, {name}, and I'm sorry. I've escalated this to our customer care manager, who'll call you today. {sig}",
    "You're right, {name}, you deserve better than that. I've asked the {town} manager to ring you this afternoon and put it right. {sig}",
    "Sorry {name}, we dropped the ball. There's a £20 credit on your account and a manager will follow up today. {sig}",
)
HANDOFFS = ("Sorry to hear that, {name}! Passing this to our support team at @{support} who'll get it sorted.",
            "Oh no, {name}. Our friends at @{support} are on it.")  # fmt: skip
AUTO_REPLIES = (
    "Thanks for your message! This is an automated reply: our team is offline and will get back to you within 24 hours.",
    "Thanks for getting in touch! This is an automated reply. For order help visit {site}/help",
    "Hi! This is an auto-reply. We've received your message and will be in touch soon.",
)
PRAISE_REPLIES = (
    "This made our day, {name}! Enjoy the {product} 💚", "Love to hear it, {name}. Happy adventures! 🏔️",
    "Thanks {name}! Glad the {product} {is} looking after you.", "Thank you {name}! Enjoy {place} 💚",
)  # fmt: skip
STORE_THANKS = (
    "Thank you {name}! We'll pass this on to the {town} team 💚", "This made our day, {name}. The {town} team will be chuffed!",
    "Thanks for the kind words, {name}! See you next time in {town}.",
)  # fmt: skip
BUZZ_REPLIES = (
    "Good luck {name}! 🏔️ {ctag}", "Love this entry! {ctag}", "So glad you liked it, {name}! Full film here: https://{alink}",
    "Thank you! 💚 {atag}", "Amazing shot {name}! 🤩 {ctag}",
)  # fmt: skip
VIRAL_BRAND_REPLIES = {
    "kindness": "We're so proud of {staff}, and so glad your dad finished {place}! The whole {town} team is getting cake today 💚",
    "failure": "Really sorry, {name}. We're looking into this urgently: please DM us so we can replace your {product} and find out what happened. {sig}",
}
BROADCASTS = (
    "Autumn sale: up to 30% off waterproofs in all {stores} stores and online. https://{site}/sale",
    "Free re-proofing on any jacket this weekend at every {brand} store. https://{site}/reproof",
    "New in: the {product}. Built for {place}, priced for everyone. https://{site}/new",
    "Members get 15% off this week. Not a member? It's free: https://{site}/members",
    "Our {town} store reopens on Saturday after a refit. Come and say hello!",
    "Weekend forecast looks wet. Good thing we've got you covered 🌧️ https://{site}/waterproofs",
    "Meet {staff} from our {town} store, who has walked all 282 Munros. Ask them anything! 🏔️",
    "Black Friday starts now: 40% off tents and sleeping bags. https://{site}/deals",
)
CONTEST_BROADCASTS = (
    "The {ctag} challenge is live! Climb it, snap it, tag it to win a year of kit. https://{clink}",
    "Your {ctag} summit photos are incredible. Keep them coming! https://{clink}",
    "Last chance to enter {ctag}! Closes Sunday. https://{clink}",
    "This week's {ctag} favourite: {place} at sunrise 😍 Enter here: https://{clink}",
)
AD_BROADCASTS = (
    "Some places you only find by getting lost. Into the Wild, our new film. {atag} https://{alink}",
    "Behind the scenes of {atag}: 9 days, 3 storms, 1 very patient fox. https://{alink}",
    "{atag}: in cinemas and on your screens from today. https://{alink}",
    "You asked for the song from {atag}. Here it is 🎶 https://{alink}",
)
BROADCAST_BUZZ = (
    "Love this 😍", "Need this in my life", "Chills. Every time.", "Entered! 🤞", "Take my money",
    "Is this in the {town} store too?", "Best ad of the year", "Ooh, tempting", "That fox though 🦊",
    "Finally! Been waiting for this", "Sharing with the walking group",
)  # fmt: skip
BROADCAST_HIJACK = (
    ("Maybe sort out my refund before posting ads?", COMPLAINTS[3][1]),
    ("Cool ad. Where's my order {order} though?", COMPLAINTS[1][1]),
    ("Would love to buy one if {town} ever had any in stock", STORE_BAD[2][1]),
    ("Spend less on ads and more on staff at {town} maybe", STORE_BAD[0][1]),
)  # fmt: skip
