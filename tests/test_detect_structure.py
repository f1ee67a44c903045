"""Unit tests of the structural detectors: titles, teasers, repeats (and split_articles)."""

from __future__ import annotations

from pathlib import Path

import pytest

import dedup
from dedup.config import DEFAULT_CONFIG, CleanConfig
from dedup.detectors import repeats, teasers, titles
from dedup.detectors.base import Mark
from dedup.document import Document

SEEDS = Path(__file__).parent / "golden" / "seeds"
PARA = (
    "The council met on Monday evening and agreed, after a long debate, that the new bridge "
    "over the river will be built next year with money from the regional budget."
)
PARA2 = (
    "Engineers said the work would take eighteen months and that the old crossing would stay "
    "open to pedestrians until the new one is ready for traffic in the spring."
)


def _labels(text: str, detect: object, marks: dict[int, Mark] | None = None) -> dict[str, str]:
    """Run one detector and return {stripped line text: label} for the lines it marked."""
    doc = Document(text)
    found = detect(doc, marks or {}, DEFAULT_CONFIG)  # type: ignore[operator]
    return {doc.lines[m.line].stripped: m.label for m in found}


def _marks(text: str, detect: object) -> list[tuple[int, str, str]]:
    doc = Document(text)
    found = detect(doc, {}, DEFAULT_CONFIG)  # type: ignore[operator]
    return sorted((m.line, m.label, m.reason) for m in found)


# --- titles -----------------------------------------------------------------------------


def test_title_printed_again_under_chrome_keeps_first_copy() -> None:
    text = "\n".join(
        [
            "Bridge to be built next year",
            "Updated 03 August 2025",
            "Follow",
            "",
            "Bridge to be built next year",
            "",
            PARA,
            PARA2,
        ]
    )
    got = _marks(text, titles.detect)
    assert [(i, label) for i, label, _ in got] == [(0, "title"), (4, "duplicate_title")]
    assert got[1][2] == "same as the title on line 1"


@pytest.mark.parametrize(
    ("page_title", "decoration"),
    [
        ("Bridge to be built next year - CBS News", "suffix with a dash"),
        ("Bridge to be built next year | The Daily Post", "suffix with a bar"),
        ("The Daily Post: Bridge to be built next year", "prefix with a colon"),
        ("Bridge To Be Built Next Year « Town Blog", "suffix, other case"),
    ],
)
def test_decorated_page_title_is_the_duplicate(page_title: str, decoration: str) -> None:
    # Line 1 is the HTML <title>; the clean headline heads the article further down.
    text = "\n".join([page_title, "Home", "News", "Sport", "Bridge to be built next year", PARA])
    got = _labels(text, titles.detect)
    assert got == {page_title: "duplicate_title", "Bridge to be built next year": "title"}, (
        decoration
    )


def test_decorated_copy_reason_says_so() -> None:
    text = "\n".join(
        ["Bridge to be built next year - CBS News", "Home", "Bridge to be built next year", PARA]
    )
    reasons = [r for _, label, r in _marks(text, titles.detect) if label == "duplicate_title"]
    assert reasons == ["same as the title on line 3 with the site's name added"]


def test_site_name_alone_is_not_the_headline() -> None:
    # "TED Blog" also appears as a logo line: the cut that keeps the longer side wins.
    text = "\n".join(
        [
            "TED Blog | Cat paying dues: Fellows Friday",
            "TED Blog",
            "Menu",
            "Cat paying dues: Fellows Friday",
            PARA,
        ]
    )
    got = _labels(text, titles.detect)
    assert got["Cat paying dues: Fellows Friday"] == "title"
    assert "TED Blog" not in got


@pytest.mark.parametrize(
    "page_title",
    [
        "Just Keep Going « Rand's Blog",  # the site's name as long as the headline
        "Ice-Cream Monster Toon Cafe: Just Keep Going",  # the site's name longer, first
        "Nancy Folbre: Just Keep Going - NYTimes.com",  # a prefix and a suffix
    ],
)
def test_headline_that_is_the_shorter_part_of_the_page_title(page_title: str) -> None:
    # No line matches the <title>'s longer side; the one line before the article that is
    # another part of it and heads the body is the headline.
    text = "\n".join([page_title, "Menu", "Just Keep Going", PARA, PARA2])
    got = _labels(text, titles.detect)
    assert got == {page_title: "duplicate_title", "Just Keep Going": "title"}


def test_site_name_as_long_as_the_headline_is_not_the_headline() -> None:
    # Both parts of "Just Keep Going « Rand's Blog" could be the headline; the site's name
    # printed as a logo heads no body, the headline does.
    text = "\n".join(["Just Keep Going « Rand's Blog", "Rand's Blog", "Menu", "Home", "About"])
    text += "\n" + "\n".join(["Archives", "Contact", "Just Keep Going", PARA, PARA2])
    got = _labels(text, titles.detect)
    assert got == {"Just Keep Going « Rand's Blog": "duplicate_title", "Just Keep Going": "title"}


def test_shorter_part_of_the_page_title_needs_one_copy_before_the_article() -> None:
    # Two lines before the article that could be it (the headline, and a related post's
    # entry above it), or a copy only after the article's first paragraph: no guess.
    page_title = "Just Keep Going « Rand's Blog"
    two = [page_title, "Just Keep Going", "Related", "Just Keep Going", PARA, PARA2]
    after = [page_title, "Menu", PARA, "Just Keep Going", PARA2]
    for lines in (two, after):
        got = _labels("\n".join(lines), titles.detect)
        assert "Just Keep Going" not in got, got
        assert "duplicate_title" not in got.values(), got


def test_quotes_and_case_do_not_hide_a_copy() -> None:
    text = "\n".join(
        [
            "‘Vital role’ for Pakistan, says Iran",
            "Share",
            "'VITAL ROLE' FOR PAKISTAN, SAYS IRAN",
            PARA,
        ]
    )
    got = _labels(text, titles.detect)
    assert sorted(got.values()) == ["duplicate_title", "title"]


def test_breadcrumb_copy_above_the_headline_is_not_kept() -> None:
    # Two copies in a row: the one with the paragraph right under it is the headline.
    text = "\n".join(
        ["Rain floods the city", "Home", "Rain floods the city", "Rain floods the city", PARA]
    )
    got = _marks(text, titles.detect)
    assert [(i, label) for i, label, _ in got if label == "title"] == [(3, "title")]


def test_copies_without_an_article_under_them_are_left_alone() -> None:
    # A headline repeated in a link list with no paragraph under any copy: not a title.
    text = "\n".join(
        ["Top stories", "Rain floods the city", "Markets rally", "Rain floods the city", "About us"]
    )
    assert _marks(text, titles.detect) == []


def test_lone_title_after_timestamp_and_logo() -> None:
    text = "\n".join(
        [
            "Last update: April 26, 2024 20:38",
            "",
            "Newsroom logo",
            "",
            "Iran, Pakistan Bolster Ties Amid Pressure from The U.S.",
            "",
            "By Orkhan Jalilov September 5, 2018",
            "",
            PARA,
        ]
    )
    got = _labels(text, titles.detect)
    assert got == {"Iran, Pakistan Bolster Ties Amid Pressure from The U.S.": "title"}


def test_headline_over_its_byline_and_date_below_a_gallery_is_the_title() -> None:
    # Captions (prose) before the headline ended the search for a title, and the gallery
    # then outweighed the article under it, which was lost. A headline with a byline right
    # under it and a date within two lines, then the text, is the article's header.
    captions = [
        "Lake Mead near Boulder City, Nevada, in July, when the water fell to its lowest "
        "level since the reservoir was filled in the 1930s.",
        "A boat ramp left high and dry at the Callville Bay marina, which has closed three of "
        "its five launch lanes this summer.",
        "Farmers in Pinal county inspect a field left fallow after their allocation was cut "
        "for the second year running.",
    ]
    gallery = []
    for n, caption in enumerate(captions, 1):
        gallery += [f"Photo {n} of 3", caption]
    head = "Drought forces western states to agree deepest water cuts yet"
    text = "\n".join(["Home", "News", *gallery, head, "By Jane Doe", "August 4, 2025", PARA, PARA2])
    assert _labels(text, titles.detect) == {head: "title"}
    kept = dedup.clean(text).splitlines()
    assert kept[-4:] == [head, "August 4, 2025", PARA, PARA2]
    # Without a byline under it, a headline after prose is still no title.
    plain = "\n".join(["Home", "News", *gallery, head, "August 4, 2025", PARA, PARA2])
    assert _labels(plain, titles.detect) == {}


@pytest.mark.parametrize(
    "text",
    [
        "\n".join(["• Officials met on Monday", "• Trade to grow", PARA, "Boosting trade", PARA2]),
        "\n".join([PARA, "Boosting trade", PARA2]),
        "\n".join(["It rained.", PARA]),
        "",
    ],
    ids=["bullets-first", "prose-first", "sentence-first", "empty"],
)
def test_no_title_when_the_text_does_not_start_with_one(text: str) -> None:
    assert _marks(text, titles.detect) == []


def test_non_latin_titles() -> None:
    ru = "Мост построят в следующем году"
    ru_para = (
        "Городской совет в понедельник после долгих споров решил, что новый мост через реку "
        "построят в следующем году на деньги из регионального бюджета и частных инвесторов."
    )
    text = "\n".join([f"{ru} — РИА Новости", "Главная", ru, ru_para])
    assert _labels(text, titles.detect) == {f"{ru} — РИА Новости": "duplicate_title", ru: "title"}
    zh = "新桥明年动工建设"
    zh_para = "市议会周一经过长时间讨论后决定，这座横跨河流的新桥将于明年使用地区预算资金开始建设。"
    text = "\n".join([zh, "2025年8月3日", "分享", zh, zh_para])
    got = _marks(text, titles.detect)
    assert [(i, label) for i, label, _ in got] == [(0, "title"), (3, "duplicate_title")]
    ar = "مجلس المدينة يقر بناء جسر جديد"
    ar_para = (
        "قرر مجلس المدينة يوم الاثنين بعد نقاش طويل أن الجسر الجديد فوق النهر سيبنى في العام "
        "المقبل بأموال من ميزانية المنطقة."
    )
    # A dated header printed twice: keep the first copy (as in seed 000).
    text = "\n".join([ar, "آخر تحديث 3 أغسطس 2025", "مشاركة", ar, ar_para])
    got = _marks(text, titles.detect)
    assert [(i, label) for i, label, _ in got] == [(0, "title"), (3, "duplicate_title")]
    # Without the date, the copy right above the article is the headline.
    text = "\n".join([ar, "مشاركة", ar, ar_para])
    got = _marks(text, titles.detect)
    assert [(i, label) for i, label, _ in got] == [(0, "duplicate_title"), (2, "title")]
    # Thai puts no space between words: a letter is not a word (a headline of 31 letters is
    # 7 words), so the headline is no longer than its language's headlines are.
    th = "เมืองเตรียมสร้างสะพานใหม่ปีหน้า"
    th_para = "สภาเมืองมีมติเมื่อวันจันทร์หลังการอภิปรายที่ยาวนานว่าจะสร้างสะพานแห่งใหม่ข้ามแม่น้ำในปีหน้า"
    text = "\n".join([f"{th} - ไทยรัฐออนไลน์", "หน้าแรก", th, th_para])
    got = _marks(text, titles.detect)
    assert [(i, label) for i, label, _ in got] == [(0, "duplicate_title"), (2, "title")]
    # Korean words carry their particles: a one-sentence paragraph of 10 words says as much
    # as an English one of 17, and heads the article all the same.
    ko = "지하철 신노선 내년 착공"
    ko_para = "서울시는 3일 새 지하철 노선 건설을 내년 봄에 시작한다고 밝혔다."
    text = "\n".join([f"{ko} | 연합뉴스", "전체메뉴", ko, "김민수 기자", ko_para, ko_para])
    got = _marks(text, titles.detect)
    assert [(i, label) for i, label, _ in got] == [(0, "duplicate_title"), (2, "title")]


def test_comment_furniture_repeated_in_the_body_is_not_a_title() -> None:
    # "Login to reply" printed after every comment: no date between the copies.
    comment = (
        "I think the council is right about this, the old bridge has been unsafe for years now."
    )
    text = "\n".join(
        [
            "Bridge to be built next year",
            PARA,
            "Login to reply please now",
            comment,
            "Login to reply please now",
            comment,
            PARA2,
        ]
    )
    got = _labels(text, titles.detect)
    assert "Login to reply please now" not in got


def test_is_headline_like() -> None:
    doc = Document(
        "\n".join(
            [
                "Iran, Pakistan Bolster Ties Amid Pressure from The U.S.",
                "It rained all day.",
                "• Bullet item here",
                "Two words",
                "Read the rest...",
            ]
        )
    )
    assert [titles.is_headline_like(ln, DEFAULT_CONFIG) for ln in doc.lines] == [
        True,
        False,
        False,
        False,
        False,
    ]


def test_sentence_in_closing_quotes_is_no_headline() -> None:
    doc = Document('Talks can become “confrontational.”\nHe said: "We will win."\nThe "Big Apple"')
    got = [titles.is_headline_like(ln, DEFAULT_CONFIG) for ln in doc.lines]
    assert got == [False, False, True]


def test_a_caption_with_its_credit_in_brackets_is_no_headline() -> None:
    # A photo's caption ends with a sentence and then its credit in brackets: the
    # bracket does not make it a headline. A headline may end with a bracketed note.
    doc = Document(
        "\n".join(
            [
                "The birds migrate across Bass Strait every spring.(Supplied: Parks Service)",
                "Crowds gather in the square on Sunday. (AP Photo/Jane Doe)",
                "Rescuers reach the village [Reuters]",
                "Apple unveils a new phone (updated)",
                "Trade talks resume in the U.S. (video)",
                "Must. Eat. Everything. (The Astoria Sunday Market Edition.)",
            ]
        )
    )
    got = [titles.is_headline_like(ln, DEFAULT_CONFIG) for ln in doc.lines]
    assert got == [False, False, True, True, True, True]


@pytest.mark.parametrize("kicker", ["Nov 21, 2026 - Economy", "kids - November 12, 2012"])
def test_a_date_beside_a_sections_name_is_no_title(kicker: str) -> None:
    # A date and a section's label printed over the headline: the headline is the title.
    head = "Fed officials signal a pause in rate cuts"
    text = "\n".join(["Menu", kicker, head, "Jane Doe", PARA, PARA])
    assert _labels(text, titles.detect) == {head: "title"}


def test_headline_with_full_stop_needs_the_site_name_in_the_page_title() -> None:
    # Some blogs end every title with a full stop. The <title> line printing it with the
    # site's name makes the in-body copy the headline, above the sidebar's profile blurb.
    head = "Top 5 ad posts of the week."
    body = [
        "About Me",
        "The best ad blogger in the world, now writing for a news site. Send me tips, please.",
        "Sunday, November 04, 2012",
        head,
        "• The most blasphemous ad of the week.",
        PARA,
    ]
    text = "\n".join([f"copyranter: {head}", *body])
    assert _labels(text, titles.detect) == {f"copyranter: {head}": "duplicate_title", head: "title"}
    # without the site's name, a sentence printed twice is no headline pair
    assert _labels("\n".join([head, *body]), titles.detect) == {}


def test_headline_ending_in_an_ellipsis_is_the_headline_when_the_page_title_prints_it() -> None:
    # "A visionary in the true meaning of the word…": the ellipsis is the headline's own when
    # the <title> line prints it too, with the site's name; the menu above is not the article.
    head = "A visionary in the true meaning of the word\u2026"
    body = ["Home", "Podcast", "Blog", head, "Posted on: 07-16-2012", PARA]
    text = "\n".join([f"{head} | 47 Hats", *body])
    assert _labels(text, titles.detect) == {f"{head} | 47 Hats": "duplicate_title", head: "title"}
    # A teaser cut short ("...") where the <title> goes on is no copy of the headline.
    cut = "A visionary in the true meaning of\u2026"
    text = "\n".join(["A visionary in the true meaning of the word | 47 Hats", "Home", cut, PARA])
    assert cut not in _labels(text, titles.detect)


def test_headline_ending_in_an_ellipsis_survives_cleaning_twice() -> None:
    # The <title> pairs it with the headline on the first pass; the cleaned text has no
    # <title>, and the headline, not the filing line under it, must still be its title.
    head = "And now, the weather report\u2026"
    menu = ["Photography", "Contact", "DVD", "Books", "Workshops", "Biography", "Blog", "Video"]
    filed = "In In The Field, history at 8:44am"
    text = "\n".join([f"{head} \u00ab Joe's Blog", *menu, "Oct 23", head, filed, PARA, PARA2])
    once = dedup.clean_and_explain(text)
    assert head in once.text.splitlines()
    assert once.title == head
    assert dedup.clean(once.text) == once.text


def test_the_page_titles_headline_may_head_a_long_header() -> None:
    # Headline, dek, byline, "Follow", reading time, date, claps, share buttons, caption:
    # ten short lines before the first paragraph, more than `title_body_lines`. The copy the
    # <title> prints exactly (its headline part) is still the headline.
    head = "Lessons from migrating a monolith to microservices"
    header = [
        "What two years of distributed systems taught our small team",
        "Daniel Okafor",
        "Follow",
        "8 min read",
        "Nov 2, 2023",
        "1.2K",
        "Listen",
        "Share",
        "The team at work in 2021",
    ]
    body = ["Home", "Sign in", head, *header, PARA, PARA2]
    text = "\n".join([f"{head} | by Daniel Okafor | Better Programming", *body])
    labels = _labels(text, titles.detect)
    assert labels[head] == "title"
    once = dedup.clean(text)
    assert dedup.clean(once) == once
    # Only the exact headline: a copy that differs from the <title>'s headline ("... II")
    # needs the paragraph within `title_body_lines`, as before.
    other = "\n".join([f"{head} II | by Daniel Okafor | Better Programming", *body])
    assert head not in _labels(other, titles.detect)


def test_the_headline_over_its_long_header_wins_over_a_copy_in_the_footer() -> None:
    # Headline, standfirst, share buttons, author, date, caption, then the article; under
    # it the "About this article" box prints the <title> again over a sentence of its own.
    # That copy heads a paragraph within `title_body_lines`, the headline only a header:
    # the header leads to a paragraph longer than any headline, which a footer's or a list
    # of posts' copy does not (their "paragraphs" are a line or an entry with a full stop).
    head = "Labour has made its point about the budget, now it must make the case"
    page_title = f"{head} | Polly Toynbee"
    dek = "In tough times the budget should be trimmed, but the left must defend the union"
    header = ["Share", "Tweet this", "Email", "Polly Toynbee", "Thursday 1 November 2012 17.00 EDT"]
    lede = (
        "Politics is often a rough trade, everyone knows it and the public despises its "
        "practice, but this week's vote showed how quickly a party can lose the argument it "
        "set out to win, and how hard it will be to make the case again."
    )
    footer = [
        "About this article",
        page_title,
        "This article was published on the site at 17.00 EDT on Thursday 1 November 2012. "
        "It was last modified at 07.49 EDT on Friday 2 November 2012.",
        "World news",
    ]
    nav = ["Home", "Comment is free", "Previous | Index"]
    text = "\n".join([page_title, *nav, head, dek, *header, lede, PARA, PARA2, *footer])
    result = dedup.clean_and_explain(text)
    assert result.title == head
    kept = result.text.split("\n")
    assert kept[:2] == [head, dek]
    assert lede in kept
    assert page_title not in kept
    # A list of posts that prints the headline among other headlines, one of them with a
    # full stop, is no header: the copy over the article wins, as before.
    others = ["Five walks along the old canal", "Ferry prices rise again", "A new café"]
    others += ["The mill reopens", "Harbour lights", "Tides and times of the bay"]
    entry = "Mr. Smith goes to the harbour board with a plan for the bridge and a ferry"
    posts = ["Recent posts", head, *others, entry, *nav]
    text = "\n".join([page_title, *posts, head, PARA, PARA2])
    assert dedup.clean_and_explain(text).title == head
    assert dedup.clean(text).split("\n")[:2] == [head, PARA]


def test_with_no_copy_over_a_body_the_header_leading_to_the_longest_paragraph_wins() -> None:
    # No copy has a paragraph within `title_body_lines`: the sidebar's copy heads a list of
    # headlines, the seventh a question with a full stop ("a paragraph" of 15 words), the
    # article's copy a header (byline, date, time, "Edit", "Follow", a caption) over its
    # lede. Both head a header; the copy over the longer paragraph is the article's.
    head = "Facebook Says Lawsuit Claiming Half Ownership of Site Is a Farce"
    sidebar = [
        "Threat Level",
        head,
        "Gmail Location Data Led FBI to Uncover Top Spy's Affair",
        "Design",
        "3D-Printing Photo Booth Makes You Into an Action Figure",
        "Raw File",
        "Canadians Trade Guns for Cameras in Creative Anti-Violence Program",
        "Webmonkey",
        "Is It Legal Yet? Photos Show Farming Pot Is Pretty Much Like Farming Anything Else",
        "How To",
        "Use Camera Tricks to Paint Light in the Sky",
    ]
    header = ["By David Kravets", "11.12.12", "3:30 PM", "Edit", "Follow @dmkravets"]
    header += ["Paul Ceglia", "The plaintiff outside the court in Buffalo"]
    lede = (
        "Declaring it a massive fraud and a farce, Facebook is demanding a federal judge "
        "dismiss a lawsuit by a man claiming to own half of the social networking site."
    )
    text = "\n".join([f"{head} | Threat Level", *sidebar, head, *header, lede, PARA, PARA2])
    result = dedup.clean_and_explain(text)
    labels = [ll.label for ll in result.line_labels]
    assert labels[2] == "duplicate_title"
    assert labels[12] == "title"
    assert lede in result.text.split("\n")
    assert dedup.clean(result.text) == result.text


def test_an_in_body_copy_of_an_undecorated_page_title_is_the_title() -> None:
    # The <title> prints the headline without the site's name, so both copies read alike;
    # a promotion within `title_body_lines` under the <title> line makes it "head a body"
    # too. The copy over the article, past a header's reach (`title_window`), is the title:
    # taking the <title> line kept the menu and the "most read" entry as the article's
    # header. (Nearer, it is a header printed twice, which keeps its first copy: seed 000.)
    head = "Friday Arts Diary"
    promo = (
        "Subscribe to the magazine today and get the first twelve issues for twelve pounds, "
        "delivered to your door every week, with free access to the archive."
    )
    lines = [head, "Home", "Politics", "Culture", "Science", "Sport", promo, "Most read"]
    lines += ["Why the bridge is late", head, "Our cultural picks for the week ahead"]
    lines += ["By the Arts Desk", "Share"]
    result = dedup.clean_and_explain("\n".join([*lines, PARA, PARA2]))
    labels = [ll.label for ll in result.line_labels]
    assert labels[0] == "duplicate_title"
    assert labels[9] == "title"
    assert result.text.split("\n") == [head, lines[10], lines[11], PARA, PARA2]
    assert dedup.clean(result.text) == result.text


def test_headline_over_a_dated_header_stays_the_title_when_cleaned_again() -> None:
    # The <title>'s headline printed in the body over a dated header: date, the author (a
    # link, printed twice), "Profile", a few teasers, then the article. The first clean
    # finds the headline through the <title>; the cleaned text has no <title> and starts with
    # the headline, which must still be its title (a line followed by a date line and a
    # header of short lines), or a second clean would drop it as a line above the article.
    head = "Harbour board sacks its chief engineer over the bridge delays"
    header = [
        "October 30, 2012 3:41 PM",
        "Maria Lindqvist",
        "Maria Lindqvist",
        "Profile",
        "Ferry prices rise again for the winter",
        "Five walks along the old canal",
        "New café opens at the station",
    ]
    nav = ["Home", "News", "Sport", "Business", "Opinion", "Contests"]
    text = "\n".join([f"{head} | Harbour Post", *nav, head, *header, PARA, PARA2])
    once = dedup.clean_and_explain(text)
    assert once.title == head
    kept = once.text.split("\n")
    assert head in kept
    assert "October 30, 2012 3:41 PM" in kept
    assert dedup.clean(once.text) == once.text
    # The rule reads the top of a text only: the first line, a date line right under it.
    assert _labels(once.text, titles.detect) == {head: "title"}


def test_first_line_over_a_menu_is_not_a_title_for_a_date_further_down() -> None:
    # A page's <title>, then its menu, then a date, the article beyond `title_body_lines`:
    # no dated header, no title.
    text = "\n".join(
        [
            "Use a spare laptop as a home server",
            "Technology Blog",
            "How-to Guides",
            "Windows 8",
            "Internet, Google Docs, Proxy",
            "couch mode",
            "print story",
            "02 nov 2012",
            PARA,
            PARA2,
        ]
    )
    assert "Use a spare laptop as a home server" not in _labels(text, titles.detect)


def test_title_threshold_comes_from_config() -> None:
    text = "\n".join(
        ["Bridge to be built next year", "Follow", "Bridge to be built in the next year", PARA]
    )
    doc = Document(text)
    loose = titles.detect(doc, {}, CleanConfig(title_similarity=0.85))
    strict = titles.detect(doc, {}, CleanConfig(title_similarity=0.99))
    assert sorted(m.label for m in loose) == ["duplicate_title", "title"]
    assert [m.label for m in strict] == ["title"]  # no copy: line 1 is a lone title


# --- seeds: title metadata and split_articles ------------------------------------------------


def _seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*[0-9a-f].txt")
    return path.read_text(encoding="utf-8")


def test_seed_000_titles_are_metadata() -> None:
    result = dedup.clean_and_explain(_seed("000"))
    assert result.title is not None
    assert result.title.startswith("Islamabad, Tehran discuss regional security")
    assert len(result.titles) == 2


def test_split_articles_splits_seed_000_in_two() -> None:
    raw = _seed("000")
    articles = dedup.split_articles(raw)
    assert [a.title for a in articles] == [
        "Islamabad, Tehran discuss regional security, defense ties during Pezeshkian’s Pakistan "
        "visit",
        "EU, Pakistan sign €60 million loan agreement for clean drinking water in Karachi",
    ]
    first, second = articles
    assert first.span.start == 0
    assert second.span.end == len(raw)
    assert first.span.end == second.span.start == raw.index("EU, Pakistan sign €60 million")
    assert "Pakistan remained engaged in talks" in first.text
    assert "Karachi Water Infrastructure" not in first.text
    assert second.text.startswith("EU, Pakistan sign €60 million loan agreement")
    assert second.text.count("EU, Pakistan sign €60 million loan agreement") == 1
    assert "Karachi has a chronic clean drinking water problem" in second.text


def test_split_articles_single_article() -> None:
    raw = _seed("003")
    (article,) = dedup.split_articles(raw)
    assert article.title == "Iran, Pakistan Bolster Ties Amid Pressure from The U.S."
    assert article.span == dedup.Span(0, len(raw))


# --- teasers -----------------------------------------------------------------------------

TEASER_ITEMS = [
    ("US asylum freeze", "05 Dec, 2025", "IT is clear that the administration is using..."),
    ("Colours of Basant", "05 Dec, 2025", "THE mood in Lahore is unmistakably festive as the…"),
    ("Protection for all", "Updated 04 Dec, 2025", "ACHIEVING true national cohesion is not..."),
]


def _teaser_page() -> str:
    lines = [
        PARA,
        "Boosting trade",
        PARA2,
        "Published in Dawn, November 27th, 2025",
        "Opinion",
        "Editorial",
    ]
    for head, date, snippet in TEASER_ITEMS:
        lines += [head, date, "", head, "", snippet]
    return "\n".join(lines)


def test_teaser_list_title_date_title_snippet() -> None:
    doc = Document(_teaser_page())
    found = teasers.detect(doc, {}, DEFAULT_CONFIG)
    marked = {doc.lines[m.line].stripped for m in found}
    assert marked == {x for item in TEASER_ITEMS for x in item}
    assert {m.label for m in found} == {"teaser"}
    assert found[0].reason == "teaser list of 3 other articles: title, date, title again, snippet"
    # Section names before the list and the article's subheading are not teasers.
    assert not marked & {"Opinion", "Editorial", "Boosting trade"}


def test_related_posts_headline_date_list_after_article() -> None:
    lines = ["Bridge to be built next year", PARA, PARA2, "Related Posts"]
    related = [
        "Old bridge closes for repairs",
        "March 3, 2024",
        "New ferry line opens",
        "April 9, 2024",
    ]
    related += ["City budget approved at last", "May 1, 2024"]
    got = _labels("\n".join(lines + related), teasers.detect)
    assert got == dict.fromkeys(related, "teaser")


def test_two_items_are_not_a_list() -> None:
    lines = [
        PARA,
        "Old bridge closes for repairs",
        "March 3, 2024",
        "New ferry line opens",
        "April 9, 2024",
    ]
    assert _labels("\n".join(lines), teasers.detect) == {}


def test_dated_timeline_inside_an_article_is_content() -> None:
    # Headline/date items with the article's text after them: a timeline, not teasers.
    timeline = ["Plans first presented", "March 3, 2024", "Budget approved", "April 9, 2024"]
    timeline += ["Works begin", "May 1, 2024"]
    assert _labels("\n".join([PARA, *timeline, PARA2]), teasers.detect) == {}


def test_subheadings_and_bullets_are_not_teasers() -> None:
    lines = ["• Officials met on Monday", "• Trade to grow", PARA, "‘Vital role’", PARA2]
    lines += ["Boosting trade", PARA, "Backchannel role", PARA2]
    assert _labels("\n".join(lines), teasers.detect) == {}


def test_teaser_lines_already_marked_break_the_list() -> None:
    doc = Document(_teaser_page())
    # A title mark on the first item's headline leaves the other two items: still a list?
    # Two items are below teaser_min_items, so nothing is marked after a kept title.
    first = next(i for i in doc.content_lines if doc.lines[i].stripped == "Colours of Basant")
    marks = {first: Mark(first, "title", "test", "titles")}
    marked = {doc.lines[m.line].stripped for m in teasers.detect(doc, marks, DEFAULT_CONFIG)}
    assert "Colours of Basant" not in marked


# Other articles printed as cards: a headline, a one-sentence standfirst and a date.
CARDS = [
    (
        "Mayor unveils new bus routes for the east side",
        "The mayor said the new routes would cut journey times for thousands of commuters "
        "who now rely on a single line into the centre.",
        "August 3, 2025",
    ),
    (
        "School budget faces cuts as enrolment falls",
        "District officials warned that falling enrolment would force them to close at least "
        "two schools and cut dozens of teaching posts.",
        "August 2, 2025",
    ),
    (
        "Police report drop in car thefts across the city",
        "Figures released by the police show that car thefts fell by a fifth last year, the "
        "biggest drop since records began.",
        "August 1, 2025",
    ),
]


@pytest.mark.parametrize("order", ["title, standfirst, date", "title, date, standfirst"])
def test_cards_with_a_standfirst_and_a_date_are_teasers(order: str) -> None:
    # A standfirst is a sentence of its own, not a snippet cut with "...": such cards after a
    # short article weighed more than the article and were kept as its text.
    cards = [(h, b, d) if order.endswith("date") else (h, d, b) for h, b, d in CARDS]
    lines = ["Council backs bridge", PARA, "Share", *[x for card in cards for x in card]]
    lines += ["About us", "Privacy policy"]
    text = "\n".join(lines)
    got = _labels(text, teasers.detect)
    assert got == {x: "teaser" for card in cards for x in card}
    assert f"teaser list of 3 other articles: {order}" in {
        ll.reason for ll in dedup.clean_and_explain(text).line_labels
    }
    assert dedup.clean(text).splitlines() == ["Council backs bridge", PARA]


def test_long_question_headlines_over_dates_are_still_teasers() -> None:
    # A headline of 15+ words ending with "?" is no standfirst: "title, date" items stay a
    # list of teasers.
    items = [
        (f"Why do so many cities still build car parks when {x} residents say they want fewer?", d)
        for x, d in (("most", "May 3, 2024"), ("young", "May 2, 2024"), ("older", "May 1, 2024"))
    ]
    text = "\n".join([PARA, "Share", *[x for item in items for x in item], "About us"])
    assert _labels(text, teasers.detect) == {x: "teaser" for item in items for x in item}


def test_comments_and_dated_sections_with_a_sentence_are_no_cards() -> None:
    # Commenters' names are too short for headlines; a timeline with the article's text on
    # both sides is the article's.
    comments = []
    for name, day in (("Ann", 6), ("Bob Lee", 7), ("Cy", 8)):
        comments += [name, f"November {day}, 2012", PARA2]
    assert _labels("\n".join([PARA, "3 Comments", *comments]), teasers.detect) == {}
    timeline = [x for card in CARDS for x in card]
    assert _labels("\n".join([PARA, *timeline, PARA2]), teasers.detect) == {}


def test_teaser_cyrillic_items() -> None:
    items = [
        ("Мост закрыли на ремонт", "3 марта 2024", "Городской совет решил закрыть старый мост..."),
        ("Новый паром начал работу", "9 апреля 2024", "Паромная линия через реку открылась…"),
        ("Бюджет города утверждён", "1 мая 2024", "Депутаты утвердили бюджет после долгих..."),
    ]
    lines = [PARA]
    for head, date, snippet in items:
        lines += [head, date, snippet]
    got = _labels("\n".join(lines), teasers.detect)
    assert got == {x: "teaser" for item in items for x in item}


# A pointer line and the headline under it, inside the article's text, in four languages.
POINTED = [
    ("en", "Related", "Mayor promises faster repairs to city bridges"),
    ("en", "Read more:", "Schools face teacher shortage as term begins"),
    ("fr", "Lire aussi", "Réforme des retraites : ce qui change au 1er janvier"),
    ("de", "Mehr zum Thema", "Unwetterwarnung: Was Autofahrer jetzt beachten müssen"),
    ("es", "Te puede interesar", "Los mercados reaccionan con calma a los resultados"),
]


@pytest.mark.parametrize(("lang", "pointer", "link"), POINTED, ids=[p[1] for p in POINTED])
def test_link_under_a_pointer_is_a_teaser_and_the_article_goes_on(
    lang: str, pointer: str, link: str
) -> None:
    text = "\n".join(["Bridge to be built next year", PARA, PARA2, pointer, link, PARA2, PARA])
    result = dedup.clean_and_explain(text)
    labels = {ll.span.slice(text).strip(): (ll.label, ll.reason) for ll in result.line_labels}
    assert labels[link] == ("teaser", f"a link to another article under {pointer!r} (line 4)")
    assert labels[pointer][0] == "chrome"
    # The box does not split the article: the paragraphs after it stay.
    assert result.text.splitlines() == ["Bridge to be built next year", PARA, PARA2, PARA2, PARA]


def test_links_of_a_box_with_its_screen_reader_lines_are_teasers_and_the_article_goes_on() -> None:
    # A "Keep reading" box inside the article, with the lines a screen reader is told ("list
    # of 3 items", "list 1 of 3", "end of list": insets): its headlines are teasers under the
    # pointer, and the counters neither end the links nor read as a comment thread's headers
    # (short lines with one ending, each followed by text) that would end the article.
    links = [
        "Mayor promises faster repairs to city bridges",
        "Schools face teacher shortage as term begins",
        "Heatwave grips the south as temperatures soar",
    ]
    box = ["Keep reading", "list of 3 items"]
    for n, link in enumerate(links, 1):
        box += [f"list {n} of 3", link]
    box.append("end of list")
    text = "\n".join(["Bridge to be built next year", PARA, PARA2, *box, PARA2, PARA])
    result = dedup.clean_and_explain(text)
    labels = {ll.span.slice(text).strip(): ll.label for ll in result.line_labels}
    assert [labels[x] for x in links] == ["teaser"] * 3
    assert result.text.splitlines() == ["Bridge to be built next year", PARA, PARA2, PARA2, PARA]


def test_pointer_before_a_sentence_or_chrome_marks_nothing() -> None:
    # "Related" heads no link here: a paragraph, then a chrome line, follow it.
    for after in (PARA2, "Subscribe to our newsletter"):
        text = "\n".join(["Bridge to be built next year", PARA, "Related", after, PARA])
        assert _labels(text, teasers.detect) == {}


def test_a_list_under_a_pointer_still_ends_the_article() -> None:
    # Only the first link under the pointer is free between paragraphs: a list of related
    # posts after the article still ends it, so the comments after the list do not join it.
    links = [
        "Ann Coulter eviscerates the spokeswoman | August 8, 2012",
        "Cher in Twitter meltdown over rivals | August 7, 2012",
        "Senator says the deal is dead | August 7, 2012",
        "Chairman calls the leader a liar | August 5, 2012",
    ]
    notice = (
        "This section is for comments from the site's community of registered readers. Please "
        "don't assume that the author agrees with or endorses any particular comment."
    )
    comment = (
        "I am interested in what the law says and why, and my immediate guess is that the "
        "law was probably written long before anyone thought of collecting rain."
    )
    lines = ["Man sentenced for catching rain water", PARA, PARA2, PARA, "Related Posts", *links]
    lines += [notice, "2 Comments | Leave a comment", "Alain41 says:", "August 9, 2012 at 10:20 am"]
    lines += [comment, "Regardless, it is bureaucracy out of control.", "Log in to Reply"]
    lines += ["Shifra says:", "August 9, 2012 at 11:12 am", "Can I get arrested for this?"]
    result = dedup.clean_and_explain("\n".join(lines))
    assert notice not in result.text
    assert comment not in result.text
    assert PARA2 in result.text
    labels = {ll.span.slice("\n".join(lines)).strip(): ll.label for ll in result.line_labels}
    assert [labels[x] for x in links] == ["teaser"] * 4


def test_reasons_cite_the_input_line_numbers_after_a_first_pass() -> None:
    # The menu goes in the first pass; the title pair is found in the second, on a view of
    # the kept lines: its reason still cites the line of the input.
    head = "Council approves new budget after late-night session"
    text = "\n".join(["Home", "World", "Business", "Sport", head, head, PARA, PARA2])
    result = dedup.clean_and_explain(text)
    dup = next(r for r in result.removals if r.label == "duplicate_title")
    assert text[: dup.span.start].count("\n") == 4  # line 5
    assert dup.reason == "same as the title on line 6"


# --- repeats -----------------------------------------------------------------------------


def test_repeat_removes_later_copies_and_cites_the_first() -> None:
    text = "\n".join(
        [
            "Bridge news",
            "Share this story",
            "Print",
            "Share this story",
            "Email",
            "Share this story",
        ]
    )
    got = _marks(text, repeats.detect)
    assert got == [
        (3, "repeated_line", "same as line 2"),
        (5, "repeated_line", "same as line 2"),
    ]


def test_repeat_matches_case_and_punctuation_aside() -> None:
    text = "\n".join(["Bridge news", "Share this story", "Print", "SHARE THIS STORY:"])
    assert _labels(text, repeats.detect) == {"SHARE THIS STORY:": "repeated_line"}


@pytest.mark.parametrize(
    "repeated",
    ["•", "* * *", "12", "-1.7%", "2024"],
    ids=["bullet", "rule", "number", "percentage", "year"],
)
def test_letterless_repeats_are_kept(repeated: str) -> None:
    text = "\n".join(["Bridge news", repeated, "Print", repeated, "Email", repeated])
    assert _labels(text, repeats.detect) == {}


def test_repeat_near_a_paragraph_is_kept() -> None:
    # A refrain or a table cell inside running text is left to the content model.
    text = "\n".join(["Bridge news", "Chorus line", PARA, "Chorus line", PARA2])
    assert _labels(text, repeats.detect) == {}


def test_repeated_row_labels_of_two_tables_are_kept() -> None:
    # Two tables of one article share their row labels: cells, not chrome. The same labels
    # with no figures between them are a menu printed twice, and go.
    cities = ["Phoenix", "Denver", "Boston", "Austin", "Dallas", "Tampa", "Miami", "Reno"]

    def table(month: str, figures: bool) -> list[str]:
        rows = [
            [city, f"{(k + 3) * 1_517:,}"] if figures else [city] for k, city in enumerate(cities)
        ]
        return [month, "Homes for sale", *(cell for row in rows for cell in row)]

    for figures in (True, False):
        text = "\n".join([PARA, *table("June", figures), PARA2, *table("July", figures), PARA])
        got = _labels(text, repeats.detect)
        middle = set(cities[2:5])  # beyond the reach of the paragraphs' context
        assert (middle & set(got)) == (set() if figures else middle), got


def test_copy_of_first_line_is_left_to_titles() -> None:
    text = "\n".join(["Rain floods the city", "Home", "Rain floods the city", "Contact"])
    assert _labels(text, repeats.detect) == {}


def test_lines_marked_earlier_are_not_marked_again() -> None:
    text = "\n".join(["Bridge news", "Share this story", "Print", "Share this story"])
    marks = {3: Mark(3, "chrome", "test", "chrome")}
    assert _labels(text, repeats.detect, marks) == {}


def test_repeat_cjk() -> None:
    text = "\n".join(["新闻", "分享到微信", "打印", "分享到微信"])
    assert _labels(text, repeats.detect) == {"分享到微信": "repeated_line"}


def test_repeat_of_a_huge_single_line() -> None:
    # A 1 MB line printed twice is a paragraph: `repeats` leaves a copy next to one, and
    # nothing takes it for a title or a teaser. (How the work grows with the line is counted,
    # not timed, in tests/test_robustness.py: "long-line-twice".)
    big = "word " * 200_000
    doc = Document("\n".join(["Bridge news", big, "Print", big]))
    assert repeats.detect(doc, {}, DEFAULT_CONFIG) == []
    assert titles.detect(doc, {}, DEFAULT_CONFIG) == []
    assert teasers.detect(doc, {}, DEFAULT_CONFIG) == []


def test_numbers_must_agree_between_copies() -> None:
    # Parts of a series in a sidebar are other articles, not copies of this one.
    text = "\n".join(
        [
            "Letting the Wolves Howl: Part 5 - Crunch",
            "Home",
            "Letting the Wolves Howl: Part 5",
            PARA,
            "Letting the Wolves Howl - Part 4",
            "Letting the Wolves Howl - Part 3",
        ]
    )
    got = _labels(text, titles.detect)
    assert got == {
        "Letting the Wolves Howl: Part 5 - Crunch": "duplicate_title",
        "Letting the Wolves Howl: Part 5": "title",
    }


def test_related_list_between_article_and_comments() -> None:
    comment = "Great piece, thanks. I have crossed that bridge every day for twenty years now."
    related = ["Old bridge closes for repairs", "March 3, 2024", "New ferry line opens"]
    related += ["April 9, 2024", "City budget approved at last", "May 1, 2024"]
    text = "\n".join([PARA, PARA2, "Related Posts", *related, "2 comments", "Mark", comment])
    assert _labels(text, teasers.detect) == dict.fromkeys(related, "teaser")


def test_copy_of_decorated_page_title_is_left_to_titles() -> None:
    # The headline in a "most read" box and again above the article, the page title with the
    # site's name: no copy heads a paragraph, so titles passes; repeats must keep them too.
    head = "Heavy rain floods the city centre overnight"
    top = [f"{head} | Danger Room | Daily Post", "Most read", head, "Markets rally", "Contact"]
    text = "\n".join([*top, "About", head, "Share", "Print"])
    assert _labels(text, repeats.detect) == {}
