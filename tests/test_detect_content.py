"""The content-likeness model (detectors/content.py) and the menus detector (detectors/menus.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import dedup
from dedup.config import CleanConfig
from dedup.detectors import content, menus
from dedup.document import Document

CFG = CleanConfig()
ONLY_MODEL = CleanConfig(detectors=("menus", "content"))

PARA = [
    "The city council voted on Tuesday to approve a new budget that raises spending on "
    "schools and public transport by almost a tenth over the next two years.",
    "Officials said the money would come from a rise in parking fees and from a tax on "
    "empty homes, which the mayor had promised during her campaign last spring.",
    "Opposition members argued that the plan was rushed and that residents had not been "
    "given enough time to comment on the details before the vote was held.",
    "The budget now goes to the regional government, which is expected to sign it off "
    "before the end of the month without asking for any major changes.",
]
MENU = ["Home", "News", "World", "Business", "Sport", "Culture", "Travel", "Video", "Contact"]
# The headline that follows a menu: the menus detector leaves a run's last line to the content
# model, which keeps a few short lines heading the article.
HEAD = "Council backs budget"


def _kept(text: str, config: CleanConfig = ONLY_MODEL) -> list[str]:
    return [ln for ln in dedup.clean(text, config=config).splitlines() if ln.strip()]


def _split_by(box: list[str]) -> str:
    """A page whose article (HEAD, PARA) has ``box`` between its second and third paragraphs."""
    return "\n".join([*MENU, HEAD, PARA[0], PARA[1], *box, PARA[2], PARA[3], *MENU])


def _labels(text: str, config: CleanConfig = ONLY_MODEL) -> dict[str, str]:
    r = dedup.clean_and_explain(text, config=config)
    return {ll.span.slice(text): ll.label for ll in r.line_labels}


def test_menu_run_removed_with_a_reason() -> None:
    text = "\n".join([*MENU, HEAD, *PARA])
    r = dedup.clean_and_explain(text, config=ONLY_MODEL)
    assert _kept(text) == [HEAD, *PARA]
    menu_reasons = {x.reason for x in r.removals if x.detector == "menus"}
    assert menu_reasons == {f"navigation menu: run of {len(MENU) + 1} short link-like lines"}


def test_a_kept_line_keeps_the_reason_it_was_kept_for() -> None:
    # The first pass weighs the paragraphs against the links after them and keeps them as
    # the article; the next pass, on the cleaned text (one block of text, nothing else), has
    # nothing to weigh and says nothing: the line's reason is still the first pass's.
    body = [
        "The council met on Monday and agreed that the new bridge will be built next year.",
        "Work will start in the spring, the mayor said, and the bridge should open in 2027.",
        "Residents have waited for a second crossing since the old ferry stopped in 1998.",
    ]
    text = "\n".join([*body, "Crosswords", "Puzzles", "Horoscopes"])
    r = dedup.clean_and_explain(text)
    assert r.text == "\n".join(body) + "\n"
    reasons = [(ll.label, ll.reason) for ll in r.line_labels]
    assert reasons[:3] == [("content", "kept: in the article's main block of text (12 words)")] * 3
    assert [label for label, _ in reasons[3:]] == ["chrome"] * 3


def test_menus_detector_needs_a_long_run() -> None:
    short_run = Document("\n".join(["Home", "News", "World", *PARA]))
    assert menus.detect(short_run, {}, CFG) == []
    long_run = Document("\n".join([*MENU, *PARA]))
    # All but the last line, which may be the headline over the text.
    assert [m.line for m in menus.detect(long_run, {}, CFG)] == list(range(len(MENU) - 1))
    footer = Document("\n".join([*PARA, *MENU]))
    assert [m.line for m in menus.detect(footer, {}, CFG)] == [4 + k for k in range(len(MENU))]


def test_a_date_among_share_buttons_is_no_menu_item() -> None:
    # The article's date, then a bar of share buttons long enough for a menu: the date
    # continues the run but stays the dates detector's and the content model's, so the
    # page's date still reaches `published` (it went as a menu item).
    bar = ["Audio • 4 min", "Facebook", "E-Mail", "Copy link", "More options", "Save", "Print"]
    for date, iso in (("08.09.2023, 13.14 Uhr", "2023-09-08T13:14"), ("May 5, 2024", "2024-05-05")):
        text = "\n".join([*MENU, HEAD, PARA[0], date, *bar, *PARA[1:], *MENU])
        r = dedup.clean_and_explain(text)
        assert iso in r.published
        assert not any(date in x.span.slice(text) and x.detector == "menus" for x in r.removals)
        marks = menus.detect(Document(text), {}, CFG)
        assert text.splitlines().index(date) not in {m.line for m in marks}


def test_menus_detector_spares_list_items_and_sentences() -> None:
    items = ["• Eggs", "• Milk", "• Flour", "• Sugar", "• Butter", "• Salt", "• Yeast"]
    assert menus.detect(Document("\n".join([*items, *PARA])), {}, CFG) == []
    answers = ["Yes.", "No way!", "Why?", "Not today.", "Maybe so.", "Sure thing.", "Never."]
    assert menus.detect(Document("\n".join([*answers, *PARA])), {}, CFG) == []


def test_subheadings_between_paragraphs_kept() -> None:
    lines = [*MENU, HEAD, PARA[0], "Boosting trade", PARA[1], "‘Vital role’", PARA[2]]
    lines += ["Backchannel role", PARA[3], "About us", "Privacy policy", "Terms of use"]
    kept = _kept("\n".join(lines))
    expected = [HEAD, PARA[0], "Boosting trade", PARA[1], "‘Vital role’", PARA[2]]
    assert kept == [*expected, "Backchannel role", PARA[3]]


def test_captions_and_bullets_inside_the_article_kept() -> None:
    lines = [
        *MENU,
        HEAD,
        PARA[0],
        "The new tram line at its opening in May. (Photo: City Hall)",
        PARA[1],
        "• schools",
        "• buses and trams",
        "• parks",
        PARA[2],
        PARA[3],
        *MENU,
    ]
    assert _kept("\n".join(lines)) == lines[len(MENU) : -len(MENU)]
    assert lines[len(MENU)] == HEAD


def test_headline_and_byline_before_the_article_kept() -> None:
    # As a scraper dumps a page: the HTML <title>, the menu, then the headline over the text.
    lines = ["Council backs budget | City Paper", *MENU, "Council backs budget"]
    lines += ["By Jane Smith", *PARA, "Share", "Tweet", "Email"]
    kept = _kept("\n".join(lines), CFG)
    assert kept[0] == "Council backs budget"
    assert kept[-len(PARA) :] == PARA
    assert not set(MENU) & set(kept)


def test_dateline_above_the_title_kept() -> None:
    lines = ["Voting issues likely to linger | The Blog", *MENU, "« Older post | Main"]
    lines += ["November 06, 2012", "Voting issues likely to linger", *PARA, *MENU]
    r = dedup.clean_and_explain("\n".join(lines), config=CFG)
    labels = {ll.span.slice("\n".join(lines)): ll.label for ll in r.line_labels}
    assert labels["Voting issues likely to linger"] == "title"
    kept = [ln for ln in r.text.splitlines() if ln.strip()]
    assert kept == ["November 06, 2012", "Voting issues likely to linger", *PARA]


@pytest.mark.parametrize(
    ("above", "kept"),
    [
        ("November 06, 2012", True),
        ("9:12am, EDT", True),
        ("2012", True),  # the year, its day and month printed above it
        ("35595727 story", False),  # a story's id
        ("Under $25", False),  # a price range of a shop's menu
        ("7 Reasons to Subscribe Subscribe via: ( Email / RSS )", False),
    ],
)
def test_only_a_date_above_the_title_is_its_dateline(above: str, kept: bool) -> None:
    # The line right above the headline is kept as its dateline when it holds a date or a
    # time, not for any digit.
    lines = ["Voting issues likely to linger | The Blog", *MENU, "« Older post | Main"]
    lines += [above, "Voting issues likely to linger", *PARA, *MENU]
    r = dedup.clean_and_explain("\n".join(lines), config=CFG)
    got = [ln for ln in r.text.splitlines() if ln.strip()]
    assert got == [above, "Voting issues likely to linger", *PARA][0 if kept else 1 :]


def test_head_lines_without_a_title_kept() -> None:
    lines = [*MENU, "Leaked memo", "Full text below.", *PARA, "Share", "Tweet", "Email"]
    kept = _kept("\n".join(lines))
    assert kept[:2] == ["Leaked memo", "Full text below."]
    assert kept[2:] == PARA


HEADLINE = "Council backs a budget that raises spending on schools"
STANDFIRST = (
    "Spending on schools rises by a tenth, paid for by parking fees and a tax on empty "
    "homes, after a vote that split the council."
)
CAPTION = (
    "The council chamber during Tuesday's vote, which more than a hundred residents came to"
    " watch from the gallery. Photograph by Ann Lee for City Paper."
)


def test_headline_standfirst_and_caption_over_share_buttons_kept() -> None:
    # Today's layout: headline, standfirst, share buttons, the lead picture's caption, the
    # byline and the date, then the text; removed, the buttons and the byline leave the
    # standfirst and the caption as two paragraphs between the headline and the text.
    head = [HEADLINE, STANDFIRST, "Share full article", "Listen to this article", CAPTION]
    lines = [*MENU, "Advertisement", *head, "By Jane Smith", "March 3, 2024", *PARA]
    kept = _kept("\n".join([*lines, *MENU]), CFG)
    assert kept == [HEADLINE, STANDFIRST, CAPTION, "March 3, 2024", *PARA]


def test_topic_links_under_the_title_are_not_its_header() -> None:
    # Title, byline, then the post's topics, one link per line, then the text: the byline
    # is the header, a row of more than `content_head_links` links is a tag list.
    topics = ["Bond", "Central Banks", "China", "Inflation", "Germany", "Global Economy"]
    title = "Why the fate of the rally may rest with soybeans | Market Notes"
    byline = "Submitted by Ann Lee on 08/09/2012 13:01"
    lines = [title, *MENU, "Why the fate of the rally may rest with soybeans", byline]
    text = "\n".join([*lines, *topics, *PARA])
    kept = _kept(text, CFG)
    assert kept == ["Why the fate of the rally may rest with soybeans", byline, *PARA]
    # As many links as `content_head_links` (4) stay: a short list is read as the header's.
    few = "\n".join([*lines, *topics[:4], *PARA])
    assert _kept(few, CFG) == [
        "Why the fate of the rally may rest with soybeans",
        byline,
        *topics[:4],
        *PARA,
    ]


def test_teasers_above_the_article_header_not_kept() -> None:
    from dedup.detectors.base import Mark

    # A list of teasers (a title, its snippet, removed stamps and buttons) above the
    # article's headline and byline: the last teaser is a headline above a paragraph too,
    # but another teaser's snippet precedes it, so it is no standfirst of this article.
    lines, removed = [*MENU], list(range(len(MENU)))
    for n, topic in enumerate(("Bus lanes", "Library hours", "Park cafe")):
        snippet = (
            f"The {topic.lower()} plan is {n + 2} weeks late, officials said on Monday, and"
            " the council will not say when the work on it is to start again."
        )
        lines += [f"{topic} plan delayed again", snippet]
        removed += range(len(lines), len(lines) + 3)
        lines += [f"{n + 2} hours ago", "Share", "Comments"]
    removed.append(len(lines) + 1)
    lines += [HEADLINE, "By Jane Smith", *PARA]
    doc = Document("\n".join(lines))
    marks = {i: Mark(i, "chrome", "test", "chrome") for i in removed}
    kept = {doc.lines[m.line].text for m in content.detect(doc, marks, CFG) if m.label == "content"}
    assert kept == {HEADLINE, *PARA}
    # The same header without the teasers above it: headline and standfirst are kept.
    byline = ["By Jane Smith", "Updated 2 hours ago"]
    head = [*MENU, HEADLINE, STANDFIRST, "Share", "Comments", CAPTION, *byline, *PARA]
    doc = Document("\n".join(head))
    gone = {i for i, s in enumerate(head) if s in (*MENU, "Share", "Comments", *byline)}
    marks = {i: Mark(i, "chrome", "test", "chrome") for i in gone}
    kept = {doc.lines[m.line].text for m in content.detect(doc, marks, CFG) if m.label == "content"}
    assert kept == {HEADLINE, STANDFIRST, CAPTION, *PARA}


def test_short_clean_text_untouched() -> None:
    for text in (
        PARA[0],
        PARA[0] + "\n" + PARA[1],
        "Budget approved\n\n" + PARA[0] + "\n\n" + PARA[1],
        "Short note.\nAnother short line\nA third one",
    ):
        r = dedup.clean_and_explain(text, config=ONLY_MODEL)
        assert r.removals == (), text
        assert r.text == text


def test_one_block_of_text_with_subheadings_untouched() -> None:
    text = "\n".join([PARA[0], "What comes next", PARA[1], PARA[2], "In brief", PARA[3]])
    assert dedup.clean_and_explain(text, config=ONLY_MODEL).removals == ()


@pytest.mark.parametrize(
    "paragraph",
    [
        # Chinese: no spaces; every character counts as a word.
        "市议会星期二投票通过了新的预算，未来两年学校和公共交通的支出将增加近十分之一。"
        "官员说，这笔钱将来自停车费的上涨和对空置房屋征收的税。",
        # Arabic
        "صوت مجلس المدينة يوم الثلاثاء على الموافقة على ميزانية جديدة تزيد الإنفاق على "
        "المدارس والنقل العام بنحو العشر خلال العامين المقبلين، وقال المسؤولون إن المال سيأتي "
        "من زيادة رسوم وقوف السيارات.",
        # Russian
        "Городской совет во вторник проголосовал за новый бюджет, который увеличивает "
        "расходы на школы и общественный транспорт почти на десятую часть в ближайшие два года.",
        # Japanese
        "市議会は火曜日、今後二年間で学校と公共交通への支出をほぼ一割増やす新しい予算を承認した。"
        "当局者によると、財源は駐車料金の値上げと空き家への課税でまかなわれる。",
    ],
)
def test_cjk_arabic_cyrillic_paragraphs_kept(paragraph: str) -> None:
    lines = [*MENU, paragraph, paragraph[::-1], paragraph, "Contact", "About", "Jobs"]
    kept = _kept("\n".join(lines))
    assert kept[-3:] == [paragraph, paragraph[::-1], paragraph]
    assert len(kept) <= 4  # the menu's last line may be taken for a headline


def test_document_language() -> None:
    assert content.document_language(Document("\n".join(PARA)), CFG) == "en"
    de = (
        "Der Stadtrat hat am Dienstag einen neuen Haushalt beschlossen, der die Ausgaben für "
        "die Schulen erhöht."
    )
    assert content.document_language(Document(de), CFG) == "de"
    assert content.document_language(Document("市议会星期二投票通过了新的预算。" * 3), CFG) is None
    only_en = CleanConfig(languages=("en",))
    assert content.document_language(Document(de), only_en) is None


def test_classes() -> None:
    stop = frozenset({"the", "of", "a", "on", "to", "and", "that", "in", "by", "over", "for"})

    def cls(text: str) -> str:
        return content.classify(Document(text).lines[0], stop, CFG)

    assert cls("Home") == content.LINK
    assert cls("U.S.") == content.LINK
    assert cls("• Eggs and milk") == content.LIST
    assert cls(PARA[0]) == content.GOOD
    assert cls("Smith, Jones, Brown, Green, White, Black, Gray, Blue, Red") == content.SHORT
    assert cls("The vote on the budget took place in the hall.") == content.NEAR


def test_stable_on_its_own_output() -> None:
    lines = [*MENU, HEAD, PARA[0], "Boosting trade", PARA[1], PARA[2]]
    lines += ["Related stories", "Mayor opens bridge", "Tram line delayed", *MENU]
    once = dedup.clean("\n".join(lines), config=ONLY_MODEL)
    assert dedup.clean(once, config=ONLY_MODEL) == once
    assert "Boosting trade" in once


def test_several_articles_each_kept() -> None:
    seed = Path(__file__).parent / "golden" / "seeds" / "000_323881d297d953c7.clean.txt"
    kept = set(dedup.clean((seed.parent / "000_323881d297d953c7.txt").read_text()).splitlines())
    gold = [ln for ln in seed.read_text().splitlines() if ln.strip()]
    assert all(ln in kept for ln in gold)


def test_comment_thread_after_the_article_removed() -> None:
    comments = []
    for name, hour in (("Ann", 1), ("Bob", 2), ("Cy", 3), ("Dee", 4)):
        comments += [f"{name} on May 5, 2012 at {hour}:15 pm. Reply #", PARA[hour - 1]]
    lines = [*MENU, HEAD, *PARA, *comments]
    r = dedup.clean_and_explain("\n".join(lines), config=ONLY_MODEL)
    assert [ln for ln in r.text.splitlines() if ln] == [HEAD, *PARA]
    removed = [x for x in r.removals if x.detector == "content"]
    assert len(removed) == len(comments)
    assert all("in a comment thread" in x.reason for x in removed)


@pytest.mark.parametrize(
    "header",
    [
        "{name} 07.2{k}.12 at 21:1{k}",
        "{name} Jul 2{k}, 2012 at 9:1{k}",
        "{name} 2012-07-2{k} 21:1{k}",
        "on 2012-07-2{k} at 9:1{k} am {name}",
        "Jul 2{k}, 2012 at 9:1{k} pm {name} Smith",
        "le 2{k}/07/2012 à 21:1{k} {name}",
    ],
)
def test_comment_headers_with_a_date_and_a_time_are_a_thread(header: str) -> None:
    # The name may come first or last: the date and the time have the same shape each time.
    comments = []
    for k, name in enumerate(("Ann", "Bob", "Cy", "Dee")):
        comments += [header.format(name=name, k=k), PARA[k]]
    lines = [*MENU, HEAD, *PARA, *comments]
    r = dedup.clean_and_explain("\n".join(lines), config=ONLY_MODEL)
    assert [ln for ln in r.text.splitlines() if ln] == [HEAD, *PARA]


COMMENTS = [
    "FWIW, the dictionary I looked at disagrees with the reading of the word given in the "
    "post, though I take the broader point about how much attention it deserves.",
    "While I have no objection to the rest of the post, this part sticks out: the word "
    "meant something quite different when it first came into the language.",
]


@pytest.mark.parametrize(
    "heading",
    [
        "2 Comments",
        "{ 2 comments… read them below or add one }",
        "2 thoughts on “Council backs budget”",
        "2 Responses to “Council backs budget”",
        "2 Kommentare",
        "2 commentaires",
        "Comentarios (2)",
    ],
)
def test_two_comments_under_a_heading_are_a_thread(heading: str) -> None:
    # Most posts draw a comment or two, not three: two headers are a thread when a heading
    # that opens comments ("2 Comments", "2 Kommentare") stands right above the first.
    comments = ["1", "Nathan 07.16.12 at 21:35", COMMENTS[0], "2", "Mike 07.16.12 at 22:07"]
    lines = [*MENU, HEAD, *PARA, heading, *comments, COMMENTS[1]]
    r = dedup.clean_and_explain("\n".join(lines), config=ONLY_MODEL)
    assert [ln for ln in r.text.splitlines() if ln] == [HEAD, *PARA]
    # The reason names the headers' shape, also on the heading the thread starts with.
    thread = [x.reason for x in r.removals if "in a comment thread" in x.reason]
    assert thread == [
        "outside the main text: in a comment thread (headers ending '0 . 0 . 0 at 0 : 0')"
    ] * len(thread)
    assert len(thread) == 7


def test_headers_of_a_name_and_a_verb_are_a_thread() -> None:
    # Slashdot, forums: "by slashmydots (2189826) writes:" above each comment, no date.
    comments = []
    for k, name in enumerate(("slashmydots", "ackthpt", "LordLucless", "kermidge", "Anon")):
        comments += [f"by {name} ({2189826 + k}) writes:", COMMENTS[k % 2]]
    lines = [*MENU, HEAD, *PARA, *comments]
    r = dedup.clean_and_explain("\n".join(lines), config=ONLY_MODEL)
    assert [ln for ln in r.text.splitlines() if ln] == [HEAD, *PARA]
    assert {x.reason for x in r.removals if x.detector == "content"} == {
        "outside the main text: in a comment thread (headers ending '^ <name> writes :')"
    }


def test_a_few_people_quoted_with_says_are_no_thread() -> None:
    # An article may lead quotes in with "<name> says:": a few of them are no comments.
    lines = [*MENU, HEAD, PARA[0]]
    speakers = ("The mayor says:", "Her deputy says:", "A resident says:")
    for who, para in zip(speakers, PARA[1:], strict=True):
        lines += [who, para]
    assert _kept("\n".join(lines)) == lines[len(MENU) :]


def test_two_headers_without_a_heading_are_no_thread() -> None:
    # Two lines of a name and a date, each followed by text, are too little alone: a diary's
    # dated entries, a Q&A's two speakers. The article keeps them.
    lines = [*MENU, HEAD, *PARA, "Nathan 07.16.12 at 21:35", COMMENTS[0]]
    lines += ["Mike 07.16.12 at 22:07", COMMENTS[1]]
    assert _kept("\n".join(lines)) == lines[len(MENU) :]


def test_short_lines_closing_the_article_stay() -> None:
    # A sign-off, a source, a credit: a few short lines right after the text are its own.
    closing = ["Reporting by Ann Lee, Bob Stone, Cy Ray, Dee Fox.", "Until next time ~"]
    lines = [*MENU, HEAD, *PARA, *closing]
    assert _kept("\n".join(lines)) == lines[len(MENU) :]


@pytest.mark.parametrize(
    "tags",
    [
        "Daily Economist, Discrimination, earnings, Income Inequality, salaries",
        "2012 election, home prices, housing, presidential election",
        "Politics, Polling, Presidential Geography, barack obama, mitt romney",
        "Tagged Animation Studio, Bad Job, Donations, Intern, Retail",
    ],
)
def test_a_list_of_topics_after_the_article_is_not_its_closing_line(tags: str) -> None:
    # The post's tags printed without their label ("Tags:"): four or more short items
    # between commas and no sentence end. They close no article; a sign-off after them
    # goes too.
    lines = [*MENU, HEAD, *PARA, tags, "Until next time ~"]
    assert _kept("\n".join(lines)) == [HEAD, *PARA]


def test_score_and_match_clock_lines_are_no_thread() -> None:
    # Live commentary repeats a score and the clock before each passage: no comment headers.
    lines = [*MENU, HEAD, PARA[0]]
    for k, para in enumerate(PARA[1:], 1):
        lines += [f"Goal! {k}-0 at {20 + k}:15", para]
    assert _kept("\n".join(lines)) == lines[len(MENU) :]


def test_sidebar_of_headlines_does_not_join_the_article() -> None:
    # Headlines of other stories read like short sentences but end without a full stop; a
    # few of them among link lines used to carry the article's block on into the sidebar
    # (after "Share this", removed as chrome, which also ends the article's closing lines).
    sidebar = [
        "Share this",
        "Why the mayor thinks the new budget is a mistake",
        "Tram line delayed",
        "How the council could change the way you pay for parking",
        "Bridge opens",
        "What the new schools plan means for your children",
        "Port strike",
    ]
    text = "\n".join([*MENU, HEAD, *PARA, *sidebar])
    assert _kept(text, config=CleanConfig(detectors=("menus", "chrome", "content"))) == [
        HEAD,
        *PARA,
    ]
    # A list inside the article, led in by a colon, stays.
    items = ["Tram fares go up by a tenth", "Parking fees rise in the centre", "Schools get more"]
    lines = [*MENU, HEAD, PARA[0], "The main changes are:", *items, PARA[1], PARA[2]]
    assert _kept("\n".join(lines)) == lines[len(MENU) :]


def test_one_teaser_printed_again_is_no_thread() -> None:
    # The same teaser in three lists of the page ("5 hrs ago ..."), each followed by text:
    # comment headers differ from one comment to the next, these do not.
    teaser = "5 hrs ago One in 10 dating profiles are scams, report reveals"
    note = "Read what the study found and how to spot a fake profile."
    lines = [*MENU, HEAD, PARA[0], PARA[3], teaser, note, teaser, note, teaser, note, *PARA[1:3]]
    kept = _kept("\n".join(lines))
    assert PARA[1] in kept
    assert PARA[2] in kept


def test_gallery_counters_are_no_thread() -> None:
    # "1 of 3" above each photo's caption: the captions are the article's, not comments.
    captions = [
        "The mayor cuts the ribbon at the opening of the new tram line on Tuesday morning.",
        "Crowds gather along the route as the first tram leaves the depot for the city centre.",
        "Council members ride the first tram and talk to passengers about the new timetable.",
    ]
    lines = [*MENU, HEAD, *PARA]
    for k, caption in enumerate(captions, 1):
        lines += [f"{k} of {len(captions)}", caption]
    kept = _kept("\n".join(lines))
    assert all(caption in kept for caption in captions)


def test_repeated_credits_and_numbered_items_are_no_thread() -> None:
    lines = [*MENU, HEAD]
    for k, para in enumerate(PARA, 1):
        lines += [para, f"{k}. Photo: Getty Images, 2012"]
    lines += [PARA[0], "Credit: City Hall / 2012", PARA[1], "Credit: City Hall / 2012", PARA[2]]
    kept = _kept("\n".join(lines))
    assert kept == lines[len(MENU) :]
    captions = [
        f"The mayor at the opening of the new tram line on May {day}, 2012. (Photo: City Hall)"
        for day in (3, 4, 5, 6)
    ]
    lines = [*MENU, HEAD]
    for caption, para in zip(captions, PARA, strict=True):
        lines += [para, caption]
    assert _kept("\n".join(lines)) == lines[len(MENU) :]


def test_kept_lines_say_why() -> None:
    text = "\n".join([*MENU, HEAD, *PARA, *MENU])
    r = dedup.clean_and_explain(text, config=CleanConfig(detectors=("content",)))
    reasons = {ll.reason for ll in r.line_labels if ll.label == "content"}
    assert any(x.startswith("kept: in the article's main block") for x in reasons)
    removed = {x.reason for x in r.removals}
    assert any(x.startswith("outside the main text") for x in removed)


def test_dev_subset_idempotent_and_few_passes() -> None:
    data = Path(__file__).parent / "data" / "dev_subset.jsonl"
    for raw in data.read_text(encoding="utf-8").splitlines()[:30]:
        text = json.loads(raw)["text"]
        once = dedup.clean(text)
        assert dedup.clean(once) == once


def test_huge_inputs() -> None:
    # A 1 MB line and 80k lines of menu items and prose. (How the work grows with the input
    # is counted, not timed, in tests/test_robustness.py: "menu-and-prose-lines".)
    one_line = "word " * 200_000
    assert menus.detect(Document(one_line), {}, CFG) == []
    assert content.detect(Document(one_line), {}, CFG) == []
    many = "\n".join(["Home", "News", "A short line here.", PARA[0]] * 20_000)
    doc = Document(many)
    assert len(menus.detect(doc, {}, CFG)) + len(content.detect(doc, {}, CFG)) > 0


TABLE = ["City", "Price", "Change", "Phoenix", "$83", "28.7%", "Denver", "$147", "8.5%"]
TABLE += ["Boston", "$216", "0.5%", "Seattle", "$158", "6.2%"]


def test_table_after_the_article_is_kept_not_taken_for_a_menu() -> None:
    # Cells one per line are short like menu items, but numbers among words make a table.
    text = "\n".join([*MENU, HEAD, *PARA, "Median price per square foot", *TABLE, *MENU])
    assert _kept(text) == [HEAD, *PARA, "Median price per square foot", *TABLE]
    assert menus.detect(Document("\n".join(TABLE)), {}, CFG) == []


def test_pager_and_counted_labels_are_no_table() -> None:
    cfg = CFG
    pager = ["1", "2", "3", "4", "5", "Next"]
    counted = ["Ad Watch (7)", "Blogwatch (19)", "Scoop (1)", "People (2)", "News", "Data (3)"]
    for run in (pager, counted, MENU):
        lines = Document("\n".join(run)).lines
        assert not content.is_table(lines, cfg), run


def test_article_goes_on_after_subheadings_before_prose() -> None:
    # Three one-line subheadings are link-like, but long paragraphs follow them: the article.
    long_para = [p + " " + p for p in PARA]
    text = "\n".join([*MENU, HEAD, *PARA, "Main points", "Time line", "Costs", *long_para, *MENU])
    assert _kept(text) == [HEAD, *PARA, "Main points", "Time line", "Costs", *long_para]


def test_article_goes_on_after_a_list_into_text_with_bullet_points() -> None:
    # A feature list (short lines, two of them link-like) between two parts of a press
    # release; the second part holds six bullet points of its own between its paragraphs.
    features = ["Fast setup", "Elasticity to meet peaks in demand", "Simple pricing"]
    features += ["Predictable budgets for every team", "Support all day"]
    points = [f"Share {w} files with partners and staff in minutes" for w in "abcdef"]
    second = [PARA[2], PARA[3], "With the new service, companies of every size can:", *points]
    second += [PARA[0], PARA[1]]
    text = "\n".join([*MENU, HEAD, PARA[0], PARA[1], *features, *second, *MENU])
    assert _kept(text) == [HEAD, PARA[0], PARA[1], *features, *second]


def test_headlines_after_a_short_inset_do_not_continue_the_article() -> None:
    # Tags, arrows and "You may like to read:" pass for an inset; the lines after them are
    # other articles' headlines, with no paragraph among them: not the article going on.
    teasers = [
        "Mayor opens the new bridge over the river after years of delay",
        "Ask the council: what happens to the old bus station now?",
        "Schools across the region get more money for teachers next year",
        "Residents fear higher parking fees will keep shoppers away",
        "Why the regional government may still block the city budget",
    ]
    inset = ["budget council transport", "←", "You may like to read:", "→"]
    text = "\n".join([*MENU, HEAD, *PARA, *inset, *teasers, *MENU])
    for cfg in (ONLY_MODEL, CFG):
        kept = _kept(text, cfg)
        assert kept[: 1 + len(PARA)] == [HEAD, *PARA]
        assert not set(teasers) & set(kept)


def test_a_consent_dialog_does_not_outweigh_a_short_article() -> None:
    # The consent framework's own sentences (resources/chrome/): long lines of prose that,
    # kept, made the heaviest block of the page, so a short article under them was lost.
    dialog = [
        "We value your privacy",
        "We and our partners store and/or access information on a device, such as cookies "
        "and process personal data, such as unique identifiers and standard information sent "
        "by a device for personalised advertising and content, advertising and content "
        "measurement, audience research and services development.",
        "With your permission we and our partners may use precise geolocation data and "
        "identification through device scanning. You may click to consent to our and our 1432 "
        "partners' processing as described above.",
        "Alternatively you may access more detailed information and change your preferences "
        "before consenting or to refuse consenting.",
        "More options",
        "Agree",
    ]
    text = "\n".join([*MENU, *dialog, HEAD, PARA[0], PARA[1], *MENU])
    assert _kept(text, CFG) == [HEAD, PARA[0], PARA[1]]


def test_article_goes_on_after_an_embedded_video_player() -> None:
    # An embedded YouTube player leaves its own lines (insets) and a few buttons the menus
    # detector removes ("Info", "Shopping"): fewer removed lines than insets, then prose.
    player = [
        "Watch later",
        "Copy link",
        "Info",
        "Shopping",
        "Tap to unmute",
        "If playback doesn't begin shortly, try restarting your device.",
        "More videos",
        "You're signed out",
        "Switch camera",
        "Watch on YouTube",
    ]
    text = _split_by(player)
    kept = _kept(text, CFG)
    assert kept[:3] == [HEAD, PARA[0], PARA[1]]
    assert kept[-2:] == [PARA[2], PARA[3]]
    assert not (set(player) - {"Info", "Shopping"}) & set(kept)


def test_more_removed_lines_than_insets_still_end_the_article() -> None:
    after = ["Advertisement", "Most read", "Sign in", "Newsletters"]
    text = _split_by(after)
    assert _kept(text, CFG) == [HEAD, PARA[0], PARA[1]]


def test_article_goes_on_after_a_newsletter_sign_up_box() -> None:
    # A sign-up box printed between two paragraphs: its button, field and heading are insets
    # (resources/insets/), so the article's paragraphs after it are still the article's.
    box = [
        "Sign up to Down to Earth",
        "Free weekly newsletter",
        "Enter your email address",
        "Sign up",
        "after newsletter promotion",
    ]
    text = _split_by(box)
    assert _kept(text, CFG) == [HEAD, *PARA]


def test_a_list_of_clauses_ending_in_semicolons_does_not_end_the_article() -> None:
    # An obituary's survivors, one clause per line: "five grandchildren;" is as short as a
    # menu item, but a line ending with a semicolon is part of a sentence, never a link.
    head = ["Obituaries", "Guest Book", "Send Flowers", "Margaret Ellen Brooks", "1938 - 2026"]
    text = [
        "Margaret Ellen Brooks, 88, of Springfield, passed away peacefully on November 14, "
        "2026, surrounded by her family.",
        "She was born on March 3, 1938, in Decatur. She taught third grade at Lincoln "
        "Elementary for 34 years and sang in the choir of First Methodist Church.",
        "She is survived by:",
        "her children, Paul (Anne) Brooks and Susan (Mark) Lee;",
        "five grandchildren;",
        "two great-grandchildren;",
        "and her sister, Dorothy Hale.",
        "She was preceded in death by her husband of 58 years, Robert, in 2019.",
        "Visitation will be held from 4 to 7 p.m. on Friday at Grace Funeral Home. The "
        "funeral service will be at 10 a.m. on Saturday at First Methodist Church.",
        "In lieu of flowers, memorials may be made to the Springfield Public Library.",
    ]
    kept = _kept("\n".join([*head, *text, "Share", "Print"]), CFG)
    assert kept[-len(text) :] == text


def test_a_menu_item_ends_with_no_semicolon() -> None:
    doc = Document("five grandchildren;\nFive Grandchildren")
    assert [content.is_link_like(ln, CFG) for ln in doc.lines] == [False, True]


@pytest.mark.parametrize("counter", ["Photo {n} of 3", "Slide {n} of 3", "list {n} of 3"])
def test_a_gallery_inside_the_article_is_no_comment_thread(counter: str) -> None:
    # Counters that are insets (resources/insets/), each over a caption: short lines with
    # one ending, each followed by text, as a comment thread's headers are; an inset is
    # never a comment's header, so the article goes on after the gallery.
    captions = [
        "The old bridge closed in March after inspectors found cracks in two of its piers.",
        "Traffic now crosses the river on a ferry that runs every twenty minutes.",
        "Work on the new span will start in the spring, the council said on Monday.",
    ]
    gallery = []
    for n, caption in enumerate(captions, 1):
        gallery += [counter.format(n=n), caption]
    text = _split_by(gallery)
    assert _kept(text, CFG) == [HEAD, PARA[0], PARA[1], *captions, PARA[2], PARA[3]]


# A live blog's entries: a heading and a short text each (one paragraph of 20-25 words).
LIVE = [
    (
        "Deal announced",
        "The interior department has announced that three states have agreed to the deepest "
        "cuts to their water supplies in the river's history.",
    ),
    (
        "Governors welcome the agreement",
        "Nevada's governor said the state had done more than any other to save water and "
        "would meet its share of the reductions.",
    ),
    (
        "Farmers react",
        "Farmers in Pinal county, who have already seen their allocations slashed, said the "
        "new cuts would force more fields out of production.",
    ),
    (
        "Talks resume",
        "Negotiators returned to the table on Monday morning after a weekend break, with "
        "officials saying a deal was close.",
    ),
]


def test_a_live_blogs_entries_are_all_the_article() -> None:
    # Each entry: a time, a heading, the text, its own buttons ("Share", removed), and an
    # "Updated at" stamp (removed): the removed lines between two entries ended the article
    # after the first one. A block headed by a time of the first entry's shape goes on.
    title = "Colorado River drought talks: live updates"
    lines = [*MENU, title, "Key events", "Show key events only"]
    kept = [title]
    for h, (heading, text) in zip(range(11, 7, -1), LIVE, strict=True):
        lines += [f"{h}.20 BST", heading, text, "Share", f"Updated at {h}.25 BST"]
        kept += [f"{h}.20 BST", heading, text]
    r = dedup.clean_and_explain("\n".join([*lines, *MENU]))
    assert [ln for ln in r.text.splitlines() if ln] == kept
    reasons = {ll.reason for ll in r.line_labels if ll.label == "content"}
    assert "kept: a live blog's entry, headed by a time as the first entry is" in reasons


def test_comments_headed_by_a_day_are_no_live_blog() -> None:
    # The article's date heads it and each comment's date heads the comment: days, not times
    # of day, so the comments after the share buttons stay outside the article.
    comment = (
        "I think this is a great idea and I hope the council will finally listen to the "
        "people who live near the river and use the ferry every day."
    )
    title = "Bridge to be built next year"
    lines = [*MENU, title, "November 5, 2012", PARA[0], PARA[1], "Share this:", "Twitter"]
    lines += ["2 Responses"]
    for k in range(2):
        lines += [f"Reader{k}", f"November {6 + k}, 2012", comment]
    kept = [title, "November 5, 2012", PARA[0], PARA[1]]
    assert _kept("\n".join([*lines, "Leave a Reply"]), CFG) == kept


def test_article_goes_on_after_an_inset_when_comments_follow() -> None:
    # A list of contacts splits the post (seven short lines: two blocks of text); a comment
    # thread follows. The thread ends the article, not the text between the list and it.
    contacts = [
        f"{name}, Ward {k}, (202) 724-80{k}{k}, {name.split()[1].lower()}@council.example"
        for k, name in enumerate(
            ["Ann Lee", "Bob Marsh", "Cy Young", "Dee Park", "Ed Stone", "Flo Hart", "Gus Kim"], 1
        )
    ]
    comments = []
    for name, hour in (("Ann", 1), ("Bob", 2), ("Cy", 3), ("Dee", 4)):
        comments += [f"{name} on May 5, 2012 at {hour}:15 pm. Reply #", PARA[hour - 1]]
    body = [PARA[0], PARA[1], *contacts, PARA[2], PARA[3]]
    r = dedup.clean_and_explain("\n".join([*MENU, HEAD, *body, *comments]), config=ONLY_MODEL)
    assert [ln for ln in r.text.splitlines() if ln] == [HEAD, *body]


def test_date_printed_one_part_per_line_above_the_title_is_kept() -> None:
    from dedup.detectors.base import Mark

    lines = [*MENU, "09", "July", "2012", HEAD, *PARA, *MENU]
    doc = Document("\n".join(lines))
    title = len(MENU) + 3
    # Two titled sections, so the lines before the first title form a section of their own.
    second = len(lines) - 1
    marks = {i: Mark(i, "title", "test", "titles") for i in (title, second)}
    marks.update({i: Mark(i, "chrome", "test", "menus") for i in range(len(MENU))})
    kept = {doc.lines[m.line].text for m in content.detect(doc, marks, CFG) if m.label == "content"}
    assert {"09", "July", "2012"} <= kept
    spared = menus.detect(Document("\n".join([*MENU, "09", "July", "2012", *PARA])), {}, CFG)
    assert {m.line for m in spared} == set(range(len(MENU)))


def test_removed_separator_between_paragraphs_does_not_split_the_article() -> None:
    from dedup.detectors.base import Mark

    # "-" lines an earlier detector removed (learned as the site's) set a caption off from the
    # text; removed or kept, a line without a word costs what a short line costs.
    lines = [HEAD, *PARA[:3], "-", "Neon signs:", "-", PARA[3], *MENU]
    doc = Document("\n".join(lines))
    seps = [i for i, s in enumerate(lines) if s == "-"]
    marks = {i: Mark(i, "site_boilerplate", "test", "site") for i in seps}
    gone = {doc.lines[m.line].text for m in content.detect(doc, marks, CFG) if m.label == "chrome"}
    assert gone == set(MENU)


def test_lines_removed_as_the_sites_chrome_inside_the_article_are_an_inset() -> None:
    from dedup.detectors.base import Mark

    # A media box learned as the site's chrome ("Video", "Photo", "Gallery") between the
    # article's paragraphs is an inset of link-like lines, as it is on a page cleaned alone;
    # a line removed as a teaser there still ends the article.
    box = ["Video", "Photo", "Gallery"]
    lines = [HEAD, *PARA[:2], *box, *PARA[2:], *MENU]
    doc = Document("\n".join(lines))
    at = range(1 + 2, 1 + 2 + len(box))
    site = {i: Mark(i, "site_boilerplate", "test", "site") for i in at}
    gone = {doc.lines[m.line].text for m in content.detect(doc, site, CFG) if m.label == "chrome"}
    assert gone == set(MENU)
    teaser = {i: Mark(i, "teaser", "test", "site") for i in at}
    gone = {doc.lines[m.line].text for m in content.detect(doc, teaser, CFG) if m.label == "chrome"}
    assert set(PARA[2:]) <= gone
    # Before short lines (a related list), not more prose, a learned line ends the article,
    # as a removed one does (as a link-like line, one would not: it may head a section).
    heads = ["More from the city desk", "Our top stories today", "Local picks for you"]
    related = [f"Read how the {w} council plans to spend the money this year." for w in MENU[:4]]
    lines = [HEAD, *PARA, "Video", *heads, *related, *MENU]
    doc = Document("\n".join(lines))
    site = {len(PARA) + 1: Mark(len(PARA) + 1, "site_boilerplate", "test", "site")}
    gone = {doc.lines[m.line].text for m in content.detect(doc, site, CFG) if m.label == "chrome"}
    assert gone == {*heads, *related, *MENU}


def test_blurb_before_the_title_goes_when_the_article_outweighs_it() -> None:
    # A sidebar's "about this blog" blurb printed above the headline is a block of text too;
    # it is kept only when it could be the article itself (at least half the weight of the
    # heaviest block after the title), as when the page prints its body above a late title.
    blurb = (
        "Welcome to the City Paper blog, where our reporters share what they saw at the "
        "council this week. Consider a donation if you like what you read here, and tell "
        "your friends about us."
    )
    lines = ["Council backs budget | City Paper", *MENU, blurb, "Archives", HEAD, *PARA]
    kept = _kept("\n".join([*lines, "Share", "Tweet"]), CFG)
    assert kept == [HEAD, *PARA]
    # The same page whose body stands above the headline, with only a line after it.
    lines = ["Council backs budget | City Paper", *MENU, *PARA, "Archives", HEAD, blurb]
    kept = _kept("\n".join([*lines, "Share", "Tweet"]), CFG)
    assert kept[: len(PARA)] == PARA
    # ... and when comments after the late headline outweigh it: a comment thread is not
    # the article, so the body above is weighed against what comes before the thread.
    said = [
        "I agree with most of this, although I think the council should have asked the people "
        "who live near the new tram line what they actually wanted before the vote.",
        "My street has been waiting for a new bus stop for years and nobody from the town hall "
        "has ever answered any of the letters that we sent them about it.",
        "The parking fees are already far too high in the old town, and raising them again will "
        "only push more of the small shops out to the big retail parks.",
        "It is good to see that the schools will finally get some of the money, because the "
        "building my children go to has had a leaking roof since last winter.",
        "Does anyone know whether the tax on empty homes will also apply to the flats that the "
        "developers have been holding back from the market near the station?",
        "We moved here three years ago because of the schools and the transport, so I am glad "
        "that the council is spending more on both of them at the same time.",
        "The opposition is right that the plan was rushed, but that is what happens every year "
        "when the budget is left until the very last meeting before the summer.",
        "I would like to know how much of the money will be spent on consultants rather than on "
        "teachers, drivers and the people who actually keep the city running.",
    ]
    thread = [said[0]]
    for k, (name, stamp) in enumerate(
        (
            ("Joan", "07.22.12 at 21:25"),
            ("Dave", "07.23.12 at 04:04"),
            ("Mike", "07.23.12 at 07:30"),
        )
    ):
        thread += [f"{name} {stamp}", *said[1 + 2 * k : 3 + 2 * k]]
    thread += ["Anna 07.24.12 at 11:12", said[7]]
    lines = ["Council backs budget | City Paper", *MENU, *PARA, "Archives", HEAD, *thread]
    kept = _kept("\n".join([*lines, "Share", "Tweet"]), CFG)
    assert kept[: len(PARA)] == PARA


def test_article_goes_on_before_its_main_block_across_an_inset() -> None:
    # Under the headline: a lead, a photo caption and a first paragraph, then a list of
    # places that splits the text before its longer part. The list is an inset, as it would
    # be after the main block: the lead and the first paragraph are the article's too.
    lead = "The carrier says work on faster service is starting in ten more towns this year."
    first = "The network is growing little by little, and today the company named the towns:"
    towns = [
        "Fort Smith, Ark.",
        "Ardmore, Okla.",
        "Eau Claire, Wis.",
        "Key West, Fla.",
        "Bloomington, Ind.",
        "Michigan City, Ind.",
        "McAllen, Texas",
        "Oakland, Calif.",
        "Fremont, Calif.",
        "Hayward, Calif.",
    ]
    body = [lead, "(Photo: City Paper)", first, *towns, *PARA]
    lines = ["Council backs budget | City Paper", *MENU, HEAD, *body, "Share", "Tweet"]
    assert _kept("\n".join(lines), CFG) == [HEAD, *body]


BLURBS = [
    "Review: the new opera house production of the winter season is by turns glorious, "
    "moving and a little too long, with a second act that the cast carries almost alone "
    "through sheer stubborn energy.",
    "Interview: the director of the film festival talks about the films she chose this year, "
    "the ones she had to leave out, and why the old cinema by the river matters to the town.",
    "Gallery: the mayor, the players and a few hundred fans on the red carpet at the premiere "
    "of the documentary about the football club that went from the fourth division to the cup.",
    "Trailer: the first pictures of the detective series shot in the harbour last summer, "
    "with the old lighthouse, the fish market and half of the town's pubs playing themselves "
    "in every episode.",
]


def test_menu_blurbs_before_the_article_are_not_its_text() -> None:
    # A menu that prints a blurb under each heading ("Reviews", a teaser, "All reviews"):
    # each blurb is one paragraph between link-like lines, heavy enough to pass for a block
    # of text before the article, but no part of it (and not the start of its text under
    # the headline either; a header of up to `content_header_lines` lines under it is kept
    # whole: captions).
    menu = []
    names = ("Reviews", "Interviews", "Galleries", "Trailers")
    for name, blurb in zip(names, BLURBS, strict=True):
        menu += [f"{name} ▼", blurb, f"All {name.lower()} →"]
    for head in ([HEAD], []):
        lines = [*head, "City Paper", *menu, "Tweet", *PARA, "Share", "Tweet"]
        kept = _kept("\n".join(lines), CFG)
        assert not set(BLURBS) & set(kept)
        assert kept[: len(head)] == head
        assert kept[-len(PARA) :] == PARA
    # Two paragraphs before the article's main block, across a photo box, are its text.
    photo = ["Photo gallery", "Photos: City Paper"]
    lines = [HEAD, "City Paper", "Home", BLURBS[0], BLURBS[1], *photo, *PARA, "Share", "Tweet"]
    kept = _kept("\n".join(lines), CFG)
    assert set(BLURBS[:2]) <= set(kept)
    assert kept[-len(PARA) :] == PARA


def test_about_blurb_between_widgets_above_the_title_goes() -> None:
    # A sidebar's "about me" above the headline, between widgets, that weighs more than half
    # of a short post: one paragraph between menu lines is a sidebar's, not the article's.
    about = (
        "About me: I am a designer and a mother of two who writes about the things I make, "
        "the places we visit and the small shops that sell the fabric I cannot resist buying."
    )
    post = PARA[:2]
    lines = ["Council backs budget | City Paper", *MENU, about, "Archives", "Labels", HEAD, *post]
    kept = _kept("\n".join([*lines, "Share", "Tweet"]), CFG)
    assert about not in kept
    assert kept[-len(post) :] == post


def test_about_blurb_under_a_profile_field_above_the_title_goes() -> None:
    # Blogger's profile box: "About Me", "Name: ...", "Location: ...", the blurb, "View my
    # complete profile". The field right above the blurb is a short line, not a menu line;
    # the blurb is still the sidebar's.
    about = (
        "I am a designer and a mother of two who writes about the things I make, the places "
        "we visit and the small shops that sell the fabric I cannot resist buying, every week."
    )
    box = ["About Me", "Name: citypaper", "Location: New York, New York", about]
    post = PARA[:2]
    lines = ["Council backs budget | City Paper", *MENU, *box, "View my complete profile"]
    kept = _kept("\n".join([*lines, "Previous Posts", HEAD, *post, "Share", "Tweet"]), CFG)
    assert about not in kept
    assert kept[-len(post) :] == post
    # An intro above a late headline, with a short line above it, is no profile box.
    intro = "Before the vote: " + about
    lines = ["Council backs budget | City Paper", *MENU, "Updated", intro, HEAD, *post]
    assert intro in _kept("\n".join([*lines, "Share", "Tweet"]), CFG)


def test_an_article_of_one_sentence_lines_outweighs_a_sidebar_paragraph() -> None:
    # A weekly roundup: one short sentence per line, each too short to be a paragraph.
    # Weighing 1 each, the ten of them lost to the sidebar's one 45-word paragraph.
    week = [
        "We released version 2 of the software development kit for PHP.",
        "We added Ruby support and network integration to the application service.",
        "We raised the limit on provisioned storage operations for every volume.",
        "The storage gateway is now generally available in all of our regions.",
        "We made some important changes to the start-up challenge and its rules.",
        "We released a cost comparison calculator for web applications on the site.",
        "The marketplace added a virtual router, a firewall and a private network.",
        "We released version 1.7 of the software development kit for Ruby today.",
        "The new second generation instances are cheaper than the ones they replace.",
        "Stay tuned for next week, and follow me on the social networks for news.",
    ]
    sidebar = (
        "This blog is written by the evangelist of the cloud team, who has written about "
        "new services, price changes and the people who build them since the very first "
        "day, and who answers every comment that readers leave under his posts here."
    )
    text = "\n".join([*MENU, HEAD, *week, "Related posts", "Archives", sidebar, "Contact"])
    kept = _kept(text, CFG)
    assert week == [ln for ln in kept if ln in week]
    assert sidebar not in kept
    # With the old weight (every such line 1) the sidebar was the article.
    old = _kept(text, CleanConfig(content_sentence_weight=0))
    assert sidebar in old


# ---------------------------------------------------------------- recipes

STORY = [
    "We spent the weekend at the farm market and came home with far too many squashes, so "
    "this week every dinner has had one in it somewhere, roasted, mashed or in a soup.",
    "This one was the favourite: the squash bakes until it falls apart into strands, and "
    "the turkey and the hot sauce make it a meal that the whole family will happily eat.",
]
RECIPE = [
    "Baked Spaghetti Squash with Turkey",
    "Total Time: 1 hour",
    "Ingredients:",
    "1 medium spaghetti squash",
    "1 pound ground turkey",
    "2 cloves garlic, minced",
    "2 Tablespoons olive oil",
    "Directions:",
    "Preheat the oven to 375°F and oil a sheet pan with a tablespoon of the olive oil.",
    "Slice the squash in half lengthwise, scoop out the seeds and bake it cut side down "
    "for 45 minutes, or until the flesh separates easily into strands with a fork.",
    "Cook the turkey with the garlic until brown, then fold in the squash and serve.",
]
RELATED = ["Related Recipes", "Pumpkin Pie Bars", "Apple Crumble", "Pear Tart", "Plum Cake"]


def test_a_recipe_after_the_story_and_its_print_button_is_kept() -> None:
    # The removed "Print" button ends the story, and the list of ingredients would cut the
    # steps off from it: the recipe card is kept as the article's.
    text = "\n".join([*STORY, "Print", *RECIPE, *RELATED])
    kept = _kept(text, CFG)
    assert kept == [*STORY, *RECIPE]
    assert _labels(text, CFG)["Print"] == "chrome"
    result = dedup.clean_and_explain(text)
    reasons = {ll.span.slice(text): ll.reason for ll in result.line_labels}
    assert reasons["1 pound ground turkey"] == (
        "kept: a recipe of the article (ingredients, then steps)"
    )


def test_recipe_cards_in_other_languages() -> None:
    story = [
        "Am Wochenende waren wir auf dem Markt und haben viel zu viele Kürbisse mit nach "
        "Hause gebracht, also gab es diese Woche jeden Abend etwas mit Kürbis zum Essen.",
        "Dieses Rezept war der Favorit der ganzen Familie, weil der Kürbis im Ofen so weich "
        "wird, dass er beim Servieren fast von selbst in Fäden zerfällt und gut schmeckt.",
    ]
    recipe = [
        "Zutaten für 4 Personen:",
        "1 Kürbis",
        "500 g Putenhack",
        "2 Knoblauchzehen",
        "Zubereitung",
        "Den Ofen auf 190 Grad vorheizen und den Kürbis längs halbieren und die Kerne entfernen.",
        "Den Kürbis 45 Minuten backen, bis sich das Fruchtfleisch mit einer Gabel in Fäden "
        "lösen lässt, dann mit dem angebratenen Hack mischen und sofort servieren.",
    ]
    text = "\n".join([*story, "Drucken", *recipe, "Mehr Rezepte", "Kürbissuppe", "Apfelkuchen"])
    assert _kept(text, CFG) == [*story, *recipe]


def _cards(text: str) -> list[tuple[int, int]]:
    doc = Document(text)
    classes = content.line_classes(doc, {}, CFG)
    return content.recipe_cards(classes, [doc.lines[i] for i in doc.content_lines], CFG)


def test_recipe_cards_need_ingredients_then_steps_in_prose() -> None:
    cards = _cards
    assert cards("\n".join(RECIPE)) == [(2, len(RECIPE))]
    # No steps in prose under the heading; a menu with both headings among its links; a
    # sentence that starts like a heading.
    assert cards("\n".join(RECIPE[:8] + RELATED)) == []
    assert cards("\n".join(["Home", "Ingredients", "Recipes", "Directions", *STORY])) == []
    sentence = "Ingredients for a better city: more parks, fewer cars and cheaper homes for all."
    assert cards("\n".join([sentence, *RECIPE[3:]])) == []


@pytest.mark.parametrize("lang", dedup.lexicon.languages("recipes", ".json"))
def test_recipe_headings_of_every_language(lang: str) -> None:
    data = dedup.lexicon.load_json(f"recipes/{lang}.json")
    assert set(data) == {"ingredients", "steps"}, lang
    assert data["ingredients"], lang
    assert data["steps"], lang
    ingredients, steps = content._recipe_headings((lang,))
    for word in data["ingredients"]:
        assert content._is_heading(Document(f"{word}:").lines[0], ingredients), word
    assert not ingredients & steps, lang


def test_a_list_of_ingredients_right_after_the_story_is_kept() -> None:
    # No heading of steps (the video shows them): the list alone, up to the removed button.
    items = [
        "2 tsp vegetable oil",
        "2 or 3 boneless skinless chicken breasts, about 1 1/4 lbs",
        "salt and pepper to taste",
        "1 tbsp ancho chili powder",
        "about 3 cups chicken broth or stock, divided",
        "2 cans (15oz) white beans",
        "sour cream and cilantro to garnish",
    ]
    text = "\n".join([*STORY, "Ingredients for 4 portions:", *items, "Pin It", *RELATED])
    assert _kept(text, CFG) == [*STORY, "Ingredients for 4 portions:", *items]


def test_a_list_of_ingredients_needs_quantities() -> None:
    def cards(body: list[str]) -> list[tuple[int, int]]:
        return _cards("\n".join(body))

    items = ["2 tsp vegetable oil", "1 large onion", "salt and pepper to taste", "Salt"]
    # Up to two lines without a quantity after the last one, none of them a bare word.
    assert cards(["Ingredients:", *items, "Pin It"]) == [(0, 4)]
    # A menu item "Ingredients" over more links: no quantities, no list.
    assert cards(["Ingredients", "Recipes", "Videos", "Shop", "About us", *STORY]) == []
    # Half the lines at most without a quantity.
    assert cards(["Ingredients:", "2 eggs", "Recipes", "Videos", "Shop", "About", "More"]) == []
