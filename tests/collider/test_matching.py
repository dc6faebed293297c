"""Suggestions rank what fits first and say why, in parts a person can check."""

from lms.collider.matching import Doc, Index, terms


def doc(id, kind="person", **kw):
    kw = {k: frozenset(v) if k in ("areas", "tags", "needs") else v for k, v in kw.items()}
    return Doc(id, kind, **kw)


def test_terms_drop_stop_words_and_plurals():
    assert terms("Designers and the circular materials for packaging") == [
        "designer",
        "circular",
        "material",
        "packaging",
    ]


def test_a_challenge_that_needs_my_skill_ranks_first_with_the_reason():
    me = doc(
        "anna",
        sector="cci",
        areas={"mindset"},
        tags={"packaging-design", "circular"},
        text="Packaging designer working with recycled and circular materials",
        courses={"Design thinking for industrial innovation": "mindset"},
    )
    fit = doc(
        "c1",
        "challenge",
        sector="avm",
        areas={"mindset", "technology"},
        needs={"packaging-design"},
        tags={"circular"},
        text="Redesign the packaging of our machine parts with circular materials",
    )
    other = doc(
        "c2",
        "challenge",
        sector="avm",
        areas={"technology"},
        needs={"3d-printing"},
        text="Tune laser sintering parameters for titanium parts",
    )
    index = Index([me, fit, other])
    best = index.suggest(me, kind="challenge")
    assert [s.id for s in best][0] == "c1"
    codes = [r.code for r in best[0].reasons]
    assert codes[0] == "needs" and best[0].reasons[0].params == {"tags": ["packaging-design"]}
    assert {"tags", "courses", "text", "areas", "sector"} <= set(codes)
    assert all(s.id != "anna" for s in best)


def test_nothing_in_common_is_not_suggested():
    a = doc("a", tags={"film"}, text="documentary film maker")
    b = doc("b", tags={"cnc"}, text="milling machine operator")
    assert Index([a, b]).suggest(a) == []
