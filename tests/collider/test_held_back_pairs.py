"""A held-back set of pairs that should match: each challenge ranks in its person's top 5.

The profiles and challenges are written as people would write them (tags from the curated
vocabulary plus free words); the pairs were decided by reading them, not by the ranker.
"""

from lms.collider.matching import Doc, Index

F = frozenset

PEOPLE = [
    # (id, areas, tags, text) — the first ten have a challenge meant for them.
    (
        "mia",
        {"mindset"},
        {"packaging-design", "circular-design"},
        "Packaging designer. I turn recycled board and mycelium into protective packaging.",
    ),
    (
        "luka",
        {"technology"},
        {"3d-modelling", "product-design"},
        "Industrial designer modelling parts for additive manufacturing and lightweight lattices.",
    ),
    (
        "ana",
        {"trends"},
        {"ux-ui-design", "user-research"},
        "UX researcher: operator interviews, usability tests of machine control panels and HMI.",
    ),
    (
        "tomas",
        {"mindset"},
        {"design-thinking", "service-design"},
        "I facilitate design thinking sprints for manufacturers rethinking after-sales service.",
    ),
    (
        "eva",
        {"trends"},
        {"video-film", "storytelling"},
        "Filmmaker telling the stories of factories: recruitment films that young people watch.",
    ),
    (
        "marek",
        {"technology"},
        {"xr", "3d-modelling"},
        "I build virtual reality showrooms and AR assembly instructions for complex machines.",
    ),
    (
        "ivana",
        {"mindset"},
        {"fashion-textile", "circular-design"},
        "Textile designer working with technical fabrics, repair and take-back of workwear.",
    ),
    (
        "peter",
        {"trends"},
        {"data-visualisation", "visual-communication"},
        "Information designer: dashboards that make energy and production data readable.",
    ),
    (
        "zsofia",
        {"technology"},
        {"sound-design", "product-design"},
        "Sound designer for products: alarm tones, acoustic comfort, quieter appliances.",
    ),
    (
        "kasia",
        {"trends"},
        {"branding", "visual-communication"},
        "Brand designer helping family manufacturers present themselves to export markets.",
    ),
] + [
    (f"other{i}", {"trends", "mindset"}, {tag}, text)
    for i, (tag, text) in enumerate(
        [
            ("illustration", "Children's book illustrator and comic artist."),
            ("photography", "Wedding and portrait photographer."),
            ("game-design", "Indie game developer, pixel art and puzzles."),
            ("interior-architecture", "Interior architect for restaurants and hotels."),
            ("storytelling", "Copywriter for tourism campaigns."),
            ("branding", "Logo designer for cafés and bakeries."),
            ("video-film", "Music video director."),
            ("illustration", "Tattoo artist and illustrator."),
            ("photography", "Food photographer for cookbooks."),
            ("game-design", "Board game designer."),
            ("ux-ui-design", "Web designer for small shops."),
            ("sound-design", "Podcast producer and radio host."),
            ("fashion-textile", "Fashion designer of evening wear."),
            ("visual-communication", "Poster artist for theatres."),
            ("service-design", "Designer of public library services."),
            ("3d-modelling", "Character modeller for animated films."),
            ("product-design", "Jewellery designer."),
            ("data-visualisation", "Journalist making election charts."),
            ("xr", "Artist making VR installations for galleries."),
            ("circular-design", "Upcycling furniture maker and flea market seller."),
        ]
    )
]

CHALLENGES = [
    (
        "c-pack",
        "mia",
        {"mindset"},
        {"packaging-design"},
        "Recyclable packaging for precision machine parts instead of plastic foam.",
    ),
    (
        "c-lattice",
        "luka",
        {"technology"},
        {"3d-modelling", "product-design"},
        "Redesign a bracket for 3D printing with lattice structures to save weight.",
    ),
    (
        "c-hmi",
        "ana",
        {"trends"},
        {"user-research", "ux-ui-design"},
        "Our CNC control panel confuses operators: study how they use it and redesign the HMI.",
    ),
    (
        "c-service",
        "tomas",
        {"mindset"},
        {"design-thinking", "service-design"},
        "We want to sell maintenance as a service: run a design thinking sprint with our team.",
    ),
    (
        "c-recruit",
        "eva",
        {"trends"},
        {"video-film", "storytelling"},
        "Nobody under 25 applies to our foundry: we need a recruitment film about real work.",
    ),
    (
        "c-ar",
        "marek",
        {"technology"},
        {"xr"},
        "Augmented reality instructions so technicians assemble our packaging line correctly.",
    ),
    (
        "c-workwear",
        "ivana",
        {"mindset"},
        {"fashion-textile", "circular-design"},
        "Take-back and repair scheme for the workwear of 2,000 employees, technical fabrics.",
    ),
    (
        "c-energy",
        "peter",
        {"trends"},
        {"data-visualisation"},
        "Make our plant's energy and production data readable for every shift on one screen.",
    ),
    (
        "c-noise",
        "zsofia",
        {"technology"},
        {"sound-design"},
        "Our heat pump's alarm tones annoy users and the fan is loud: improve acoustic comfort.",
    ),
    (
        "c-export",
        "kasia",
        {"trends"},
        {"branding", "visual-communication"},
        "A family manufacturer of valves needs a brand and trade-fair presence for export.",
    ),
]


def test_every_held_back_pair_ranks_in_the_top_five():
    people = {
        pid: Doc(pid, "person", sector="cci", areas=F(a), tags=F(t), text=text)
        for pid, a, t, text in PEOPLE
    }
    challenges = [
        Doc(cid, "challenge", sector="avm", areas=F(a), needs=F(n), text=text)
        for cid, _, a, n, text in CHALLENGES
    ]
    index = Index(list(people.values()) + challenges)
    misses = []
    for cid, person, *_ in CHALLENGES:
        top = [s.id for s in index.suggest(people[person], kind="challenge", limit=5)]
        if cid not in top:
            misses.append((person, cid, top))
    assert not misses, misses
    # And the other way round: the intended person is among the challenge's five best people.
    for challenge in challenges:
        person = next(p for c, p, *_ in CHALLENGES if c == challenge.id)
        top = [s.id for s in index.suggest(challenge, kind="person", limit=5)]
        assert person in top, (challenge.id, top)
