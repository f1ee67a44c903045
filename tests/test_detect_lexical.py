"""Unit tests of the lexical detectors: chrome, dates, bylines, trailers and their resources."""

from __future__ import annotations

import datetime
import itertools
import json
import re
from importlib import resources

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import dedup
from dedup.config import CleanConfig
from dedup.detectors import bylines, chrome, content, dates, prescreen, trailers
from dedup.document import Document, Line
from dedup.lexicon import languages, load_json, load_lines
from dedup.normalize import match_key

CFG = CleanConfig()
ROOT = resources.files("dedup").joinpath("resources")


def labels(detector, text: str) -> dict[str, str]:
    """Return {line text: label} of the lines ``detector`` marks in ``text``."""
    doc = Document(text)
    return {doc.lines[m.line].text: m.label for m in detector.detect(doc, {}, CFG)}


# ---------------------------------------------------------------- chrome


@pytest.mark.parametrize(
    ("line", "lang"),
    [
        ("Short Url", "en"),
        ("Follow", "en"),
        ("Newsroom logo", "en"),
        ("None", "en"),
        ("undefined", "en"),
        ("Opinion", "en"),
        ("Editorial", "en"),
        ("Advertisement", "en"),
        ("Follow us on Twitter", "en"),
        ("Share this article", "en"),
        ("Comments (12)", "en"),
        ("5 May 2024 • 3 min read", "en"),
        ("Read more: Iran and Pakistan agree to boost trade", "en"),
        ("À lire aussi : Grève à Lyon", "fr"),
        ("Lesen Sie auch: Hochwasser am Rhein", "de"),
        ("اقرأ أيضا: افتتاح محطة جديدة", "ar"),
        ("یہ بھی پڑھیں: پاکستان اور ایران", "ur"),
        ("相关阅读：新高铁线路年底通车", "zh"),
        ("Share 34", "en"),
        ("1.2K Shares", "en"),
        ("Sign in", "en"),
        ("Skip to content", "en"),
        ("Read more »", "en"),
        ("We use cookies to give you the best experience. By continuing you agree.", "en"),
        ("Partager sur Facebook", "fr"),
        ("Lire la suite", "fr"),
        ("Abonnez-vous", "fr"),
        ("Folgen Sie uns auf Instagram", "de"),
        ("Weiterlesen", "de"),
        ("Anzeige", "de"),
        ("Artikel zum Hören • 4 Min", "de"),
        ("Síguenos en Twitter", "es"),
        ("Leer más", "es"),
        ("Publicidad", "es"),
        ("Leia mais", "pt"),
        ("Leggi anche", "it"),
        ("Поделиться", "ru"),
        ("分享到微信", "zh"),
        ("شارك على فيسبوك", "ar"),
        ("اقرأ أيضا", "ar"),
        ("رابط مختصر", "ar"),
        ("شیئر کریں", "ur"),
        ("مزید پڑھیں", "ur"),
        ("TrackBack URL for this entry:", "en"),
        ("2 TrackBacks", "en"),
        ("skip to main navigation", "en"),
        ("Flag as Inappropriate", "en"),
        ("AdChoices", "en"),
        # taxonomy lines: a blog's or CMS's tags and categories under a post
        ("Tagged as: hurricanes, Natural Disasters", "en"),
        ("Filed Under: Leadership Tagged With: Philosophy", "en"),
        ("Categories: A Job Well Done", "en"),
        ("Mots-clés : Grève, SNCF, Lyon", "fr"),
        ("Schlagwörter: Hochwasser, Rhein", "de"),
        ("Etiquetas: elecciones, Madrid", "es"),
        ("Marcadores: futebol, Copa", "pt"),
        ("Argomenti: Roma, calcio", "it"),
        ("Метки: выборы, Москва", "ru"),
        ("标签：高铁，通车", "zh"),
        ("الوسوم: الاقتصاد، النفط", "ar"),
        ("ٹیگز: پاکستان، ایران", "ur"),
        # comment systems' own messages (moderation, previews, captchas) and blog widgets
        ("Your comment has been saved. Comments are moderated and will not appear.", "en"),
        ("This is only a preview. Your comment has not yet been posted.", "en"),
        ("You are commenting using your WordPress.com account. ( Log Out / Change )", "en"),
        ("(URLs automatically linked.)", "en"),
        ("Listed below are links to weblogs that reference The Morning Wrap:", "en"),
        ("Digg This | Save to del.icio.us", "en"),
        ("Buzz up!", "en"),
        ("Digg", "en"),
        ("Add to Myspace", "en"),
        ("RESIZE: AAA", "en"),
        ("The opinions expressed in this commentary are solely those of the authors.", "en"),
        ("Dein Kommentar muss noch freigegeben werden.", "de"),
        ("Votre commentaire est en attente de modération.", "fr"),
        ("Tu comentario está pendiente de moderación.", "es"),
        ("Il tuo commento è in attesa di moderazione.", "it"),
        ("Seu comentário está aguardando moderação.", "pt"),
        ("Ваш комментарий ожидает проверки.", "ru"),
        ("您的评论正在等待审核。", "zh"),
        ("تعليقك بانتظار المراجعة.", "ar"),
        ("آپ کا تبصرہ منظوری کا منتظر ہے۔", "ur"),
        # account links: the writer's profile page, the reader's notifications
        ("Profile", "en"),
        ("Clear notifications ×", "en"),
        ("Voir le profil", "fr"),
        ("Profil ansehen", "de"),
        ("Visualizza profilo", "it"),
        ("Bekijk profiel", "nl"),
        ("Мой профиль", "ru"),
        ("الملف الشخصي", "ar"),
        ("프로필 보기", "ko"),
        ("个人资料", "zh"),
        ("プロフィールを見る", "ja"),
    ],
)
def test_chrome_phrases_match_whole_lines(line: str, lang: str) -> None:
    hit = chrome.match_chrome(line)
    assert hit is not None
    assert hit.endswith(f"({lang})")


@pytest.mark.parametrize(
    "line",
    [
        "Police follow the suspect's trail to the border.",
        "Share prices fell sharply on Monday.",
        "The opinion of the court was delivered by the chief justice.",
        "The company unveiled its new logo at a ceremony in Paris",
        "Comments from the minister drew criticism across the country.",
        "Il faut partager les richesses, a déclaré le ministre.",
        "Sie folgen dem Fluss bis zur Grenze.",
        "44. More on Presidential Dictatorship (Apr. 15, 2007)",
        "Read more than 100 books: a challenge for the summer",
        "Tags are how readers find older posts on the blog.",
        "Skip to the end of the report and you will see why the minister resigned.",
        "Categories of spending rose in every region last year.",
        "The opinions expressed by the minister drew criticism from the opposition.",
        "Comments are what the readers of this blog write to each other every day.",
        "Nobody",
        "Profile: the quiet engineer who rebuilt the city's bridges",
        "A profile of the new mayor",
        "The permalink of the post changed when the blog moved to its own domain.",
        "Il a établi un lien permanent avec la ville.",
        "Add to taste, then stir until the sauce thickens.",
        "Resize the image before you upload it.",
        "",
    ],
)
def test_chrome_never_matches_inside_a_sentence(line: str) -> None:
    assert chrome.match_chrome(line) is None


_BETWEEN_PARAGRAPH = "Rain fell on the city all day long, the council said on Monday."


def _chrome_between_lines(line: str) -> dict[str, str]:
    """Return the chrome detector's labels of ``line`` between a headline and a paragraph."""
    return labels(chrome, f"A headline\n{line}\n{_BETWEEN_PARAGRAPH}")


def test_chrome_detect_marks_only_the_chrome_lines() -> None:
    text = "Follow\nFollow the money, the senator said on Tuesday.\nShort Url\n"
    assert labels(chrome, text) == {"Follow": "chrome", "Short Url": "chrome"}


@pytest.mark.parametrize(
    "line",
    [
        "Follow @daxe",
        "Twitter: @evleaks",
        "Follow @edcocp on Twitter",
        "Suivez-nous @lemondefr",
        "Folgen Sie uns @tagesschau",
    ],
)
def test_a_chrome_phrase_with_a_social_handle_is_chrome(line: str) -> None:
    # A handle next to a phrase, as a count is ("Comments (12)"): the phrase decides.
    assert _chrome_between_lines(line) == {line: "chrome"}


@pytest.mark.parametrize(
    "line",
    [
        "Thanks @daxe for the tip",
        "@daxe",
        "Follow the money, @daxe wrote.",
        "Email me at ann@example.com",
    ],
)
def test_no_chrome_with_a_handle_in_other_words(line: str) -> None:
    assert _chrome_between_lines(line) == {}


@pytest.mark.parametrize(
    "line",
    [
        "Printer-friendly version | Send to friend | Login or register to post comments",
        "RSS feed for comments on this post. TrackBack URI",
        "About Us | Contact Us | Privacy Policy | Terms of Service | Advertise | Site Map",
        "Share on Facebook • Share on Twitter • 12 Comments",
        "Forgot your password? Create new account",
        "Partager sur Facebook · Imprimer cet article · Voir les commentaires",
    ],
)
def test_a_row_of_chrome_phrases_between_separators_is_chrome(line: str) -> None:
    # Each part is a chrome phrase of its own, too long together for a row of words.
    assert _chrome_between_lines(line) == {line: "chrome"}


@pytest.mark.parametrize(
    "line",
    [
        "Oct 30, 2012 - Leave a Comment",  # a date is not chrome: the post's dateline
        "Share your story. We read every letter and print the best of them each week.",
        "Print | Email | The council met on Monday",
    ],
)
def test_no_row_of_chrome_phrases_with_another_part(line: str) -> None:
    assert _chrome_between_lines(line) == {}


@pytest.mark.parametrize(
    "line",
    [
        "« How to Upgrade your Computer to Windows 8",  # the post before, on a blog
        "« Weston Book Update #2 | Main",
        "Nikon D5200 DSLR camera to be announced next »",
        "← Around The Majors: August 8, and More",
        "All Reviews→",
        "Older stories >>",
        "» Create a new account",
        "‹ Précédent : la réforme des retraites",
    ],
)
def test_a_link_to_the_previous_or_next_post_is_chrome(line: str) -> None:
    assert _chrome_reason(line).startswith(chrome.PAGER_REASON)


def _chrome_reason(line: str) -> str:
    """Return the chrome detector's reason for ``line`` between a headline and a paragraph."""
    assert _chrome_between_lines(line) == {line: "chrome"}
    text = f"A headline\n{line}\n{_BETWEEN_PARAGRAPH}"
    return chrome.detect(Document(text), {}, CleanConfig())[0].reason


@pytest.mark.parametrize(
    "line",
    [
        "« Nous allons gagner », a dit le maire.",  # a French quote holds both guillemets
        "»Wir schaffen das«, sagte sie.",  # and a German one
        "« Et le conseil municipal a voté la réforme à l'unanimité.",  # a quoted paragraph
        "Home » News » World",  # a breadcrumb: more than one mark
        "► The first item of the list",  # a bullet, not a link
        "The rate rose from 2% → 3% over the year",  # an arrow inside the text
        "«",
        "→ " + " ".join(["word"] * 40),  # longer than a headline
    ],
)
def test_no_pager_link_in_quotes_bullets_or_text(line: str) -> None:
    assert (
        chrome.pager_link(line, Line(0, 0, len(line), len(line), line).n_words, CleanConfig())
        is None
    )


@pytest.mark.parametrize(
    "line",
    [
        "Home » News » World",
        "You are here: Home » Fast » Noodlecakes",
        "Life at Home » Nothing to Do With Travel » Random Musings » WTF Wednesdays",
        "Home > News > Linux > Linux & Opensource Blog",
        "• Pharma Blog » 2012 » November » 06",
        "Accueil › Actualités › Monde",
        "Full list of categories: Attractions » City Guide » Food » Local Color",
        "ホーム > ニュース > 国際",
    ],
)
def test_a_breadcrumb_trail_is_chrome(line: str) -> None:
    # Where the page sits in the site: three or more short parts between one repeated mark.
    assert _chrome_reason(line).startswith(chrome.BREADCRUMB_REASON)


@pytest.mark.parametrize(
    "line",
    [
        "Paris » London",  # two parts: a route, a pager
        "« Nous allons gagner », a dit le maire, « et vite »",  # quotes hold both guillemets
        "The sequence is 1 > 2 > 3 and it holds for every n we tried in the proof.",
        "If x > y > z, the order is strict. Then z < x.",
        "Step one » step two » and then the long third step that goes on and on and on",
        "Tuesday, 11.06.2012 / 4:54 PM / News",  # a dateline between slashes
    ],
)
def test_no_breadcrumb_in_text_quotes_or_datelines(line: str) -> None:
    assert chrome.breadcrumb(line) is None


def test_pager_links_between_teasers_keep_them_out_of_the_article() -> None:
    # A section's teaser, then its "All <section>→" link, four times above the article: the
    # links weigh as the links they are (removed, they would no longer part the teasers,
    # which then joined the article's block).
    snippet = (
        "REVIEW: An ambitious epic is by turns glorious, moving and… As is often the peril of "
        "adapting a sprawling novel, the film takes on more than it can hold, but the cast"
    )
    sections = [
        line
        for name in ("Reviews", "Interviews", "Galleries", "Trailers")
        for line in (f"{name} ▼", f"{snippet} {name.lower()}", f"All {name}→")
    ]
    body = [
        "Despite making over $2 billion at the box office, the saga is still a sore point for "
        "many of the fans who came to the panel, the director said on Sunday evening.",
        "At this month's convention the cast was eager to show how the new film differs from "
        "the books, and the audience asked them about it for most of an hour.",
        "Check out the video below to find out what the cast said about the film's ending.",
        "The film is set to open in theaters next February.",
    ]
    head = ["[VIDEO] The director on his fantasy film - Movieline", "Movieline"]
    byline = ["Watch This || By: Grace Randolph || October 30, 2012 07:00 PM EDT"]
    tail = ["WATCH: The director on his fantasy film", "Tweet", "Comments: 0 || Add Yours"]
    out = dedup.clean("\n".join([*head, *sections, *byline, *tail, *body])).splitlines()
    assert out[-4:] == body
    assert not [line for line in out if line.startswith("REVIEW")]


def test_chrome_respects_languages() -> None:
    only_en = CleanConfig(languages=("en",))
    assert chrome.match_chrome("Lire la suite", config=only_en) is None
    assert chrome.match_chrome("Read more", config=only_en) is not None


def test_pattern_regex_wildcards() -> None:
    rx = re.compile(chrome.pattern_regex("** all rights reserved **"))
    assert rx.fullmatch("all rights reserved")
    assert rx.fullmatch("2012 foo all rights reserved bar")
    assert not rx.fullmatch("fooall rights reserved")
    assert re.fullmatch(chrome.pattern_regex("copyright # **"), "copyright 2024 ap")
    assert not re.fullmatch(chrome.pattern_regex("copyright # **"), "copyright law")
    assert not re.fullmatch(chrome.pattern_regex("* logo"), "one two three four logo")


def test_patterns_are_linear_on_huge_lines() -> None:
    # A 1 MB key of repeated words must not make any compiled pattern backtrack for long.
    # (How their work grows is counted in tests/test_robustness.py.)
    key = "follow " * 150_000 + "x"
    for kind in ("chrome", "trailers"):
        phrases = chrome.compile_phrases(kind, None)
        assert phrases.patterns
        assert phrases.match(key) is None or kind == "trailers"
        assert all(p.fullmatch(key) is None for p, _ in phrases.patterns) or kind == "trailers"
    # And the public functions refuse long lines (how their work grows with the line is
    # counted in tests/test_robustness.py, not timed here).
    huge = "By John Smith " * 80_000
    assert chrome.match_chrome(huge) is None
    assert trailers.match_trailer(huge) is None
    assert bylines.parse_byline(huge) is None
    assert not dates.is_date_line(huge)
    assert dates.find_dates("May 5, 2024 " * 2000) == ["2024-05-05"] * 2000


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "line",
    [
        "Updated 03 August 2025",
        "Last update: April 26, 2024 20:38",
        "Published: 2024-05-01 10:00 GMT",
        "5 hours ago",
        "Updated about 5 hours ago",  # Rails' time_ago_in_words: "about", "over", "less than"
        "less than a minute ago",
        "over 2 years ago",
        "12 Mar 2019 | 10:15",
        "Mis à jour le 3 août 2025",
        "il y a 3 heures",
        "Aktualisiert am 3. August 2025",
        "vor 5 Stunden",
        "Actualizado el 3 de agosto de 2025",
        "hace 2 días",
        "15 de março de 2024",
        "Aggiornato il 3 agosto 2025",
        "12 мая 2024 г.",
        "2024年4月26日 20:38",
        "5小时前",
        "آخر تحديث: 26 أبريل 2024",
        "منذ 5 ساعات",
        "اپ ڈیٹ 03 اگست 2025",
        "5 گھنٹے پہلے",
        "26/04/2024",
        "2024-05-01",
        "Wednesday, 1 May 2024, 10:00 AM",
        "October (15)",
        "May 2024",
    ],
)
def test_is_date_line(line: str) -> None:
    assert dates.is_date_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "ISLAMABAD: The defense ministers of Pakistan and Iran met on May 5, 2024.",
        "May 5, 2024: Parliament passes the budget",
        "Published in Dawn, November 27th, 2025",
        "He waited 5 hours before the doctor came.",
        "About 5 hours",
        "Over the years",
        "By 2030, the city will have doubled its bus fleet.",
        "March for Our Lives",
        "2024",
        "Top 10",
        "5G",
        "March 2012 8.3",  # a row of figures, not a date
        "March 2012 120,000",
        "",
    ],
)
def test_is_not_date_line(line: str) -> None:
    assert not dates.is_date_line(line)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Updated 03 August 2025", ["2025-08-03"]),
        ("Last update: April 26, 2024 20:38", ["2024-04-26T20:38"]),
        ("Published: 2024-05-01 10:00 GMT", ["2024-05-01T10:00"]),
        ("By Orkhan Jalilov September 5, 2018", ["2018-09-05"]),
        ("November 27th, 2025 at 5:30 pm", ["2025-11-27T17:30"]),
        ("12 Mar 2019 | 10:15", ["2019-03-12T10:15"]),
        ("Mis à jour le 1er août 2025", ["2025-08-01"]),
        ("Actualizado el 3 de agosto de 2025", ["2025-08-03"]),
        ("آخر تحديث: 26 أبريل 2024", ["2024-04-26"]),
        ("12 мая 2024 г.", ["2024-05-12"]),
        ("2024年4月26日", ["2024-04-26"]),
        ("26/04/2024", ["2024-04-26"]),
        ("04/26/2024", ["2024-04-26"]),
        ("May 2024", ["2024-05"]),
        ("10:00 am BST, 5 May 2024", ["2024-05-05T10:00"]),
        (
            "PUBLISHED: 10:00 BST, 5 May 2024 | UPDATED: 11:00 BST, 6 May 2024",
            ["2024-05-05T10:00", "2024-05-06T11:00"],
        ),
        ("Mis à jour le 3 août 2025 à 14h30", ["2025-08-03T14:30"]),
        ("Feb 30, 2024", ["Feb 30, 2024"]),
        # Incomplete or ambiguous dates come back as written.
        ("03/04/2024", ["03/04/2024"]),
        ("03-04-2024", ["03-04-2024"]),
        ("03.04.2024", ["2024-04-03"]),  # with dots, the day first
        ("Aktualisiert am 03.08.2025-14:30", ["2025-08-03T14:30"]),  # F.A.Z.: time after a dash
        ("03.08.2025-04.08.2025", ["2025-08-04"]),  # a range is no date and its time
        ("05.13.2024", ["2024-05-13"]),
        ("5 hours ago", ["5 hours ago"]),
        ("Updated about 5 hours ago", ["5 hours ago"]),
        ("vor etwa 2 Stunden", ["vor etwa 2 Stunden"]),  # a hedge after the marker
        ("3 August", ["3 August"]),
        ("October (15)", []),  # an archive's month and its number of posts: no day
        ("no date here", []),
    ],
)
def test_find_dates(text: str, expected: list[str]) -> None:
    assert dates.find_dates(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A weekday beside a numeric date picks the reading that falls on it.
        ("Wednesday, 03/04/2024", ["2024-04-03"]),  # 3 April 2024 was a Wednesday
        ("Monday 03/04/2024", ["2024-03-04"]),  # 4 March 2024 was a Monday
        ("03/04/2024 (Wednesday)", ["2024-04-03"]),  # the weekday after the date
        ("Posted on Wed, 03/04/2024 at 10:00", ["2024-04-03T10:00"]),
        ("vendredi 05/04/2024", ["2024-04-05"]),
        ("Mittwoch, 03-04-2024", ["2024-04-03"]),
        # Neither reading falls on it: as written, as without a weekday.
        ("Tue 03/04/2024", ["03/04/2024"]),
        # Dots are day first, unless the weekday says the other reading (nhl.com: Monday,
        # 11.05.2012, was 5 November; 11 May 2012 was a Friday).
        ("Monday, 11.05.2012", ["2012-11-05"]),
        ("Friday, 11.05.2012", ["2012-05-11"]),
        ("Sunday, 11.05.2012", ["2012-05-11"]),  # neither: the day first
        # An unambiguous date stays what it is, whatever the weekday.
        ("Monday, 26/04/2024", ["2024-04-26"]),
        ("Monday, May 5, 2024", ["2024-05-05"]),
        # A weekday of another date on the line does not reach this one.
        ("Wednesday 1 May 2024 - 03/04/2024", ["2024-05-01", "03/04/2024"]),
        # A year no calendar has: no date, with a weekday or without.
        ("03.04.0000", ["03.04.0000"]),
        ("Monday, 03.04.0000", ["03.04.0000"]),
    ],
)
def test_find_dates_a_weekday_picks_the_reading(text: str, expected: list[str]) -> None:
    assert dates.find_dates(text) == expected


# Wednesday and Sunday, as each language writes them (the week starts on Sunday in some of
# them, on Saturday in Persian: the lists are Monday first all the same).
_WEDNESDAY_SUNDAY = {
    "ar": ("الأربعاء", "الأحد"),
    "de": ("Mittwoch", "Sonntag"),
    "es": ("miércoles", "domingo"),
    "fa": ("چهارشنبه", "یکشنبه"),
    "fr": ("mercredi", "dimanche"),
    "he": ("יום רביעי", "יום ראשון"),
    "hi": ("बुधवार", "रविवार"),
    "id": ("Rabu", "Minggu"),
    "it": ("mercoledì", "domenica"),
    "ja": ("水曜日", "日曜日"),
    "ko": ("수요일", "일요일"),
    "nl": ("woensdag", "zondag"),
    "pl": ("środa", "niedziela"),
    "pt": ("quarta-feira", "domingo"),
    "ru": ("среда", "воскресенье"),
    "th": ("วันพุธ", "วันอาทิตย์"),
    "tr": ("Çarşamba", "Pazar"),
    "ur": ("بدھ", "اتوار"),
    "vi": ("thứ tư", "chủ nhật"),
    "zh": ("星期三", "星期日"),
}


@pytest.mark.parametrize("lang", sorted(_WEDNESDAY_SUNDAY))
def test_weekdays_of_each_language(lang: str) -> None:
    wednesday, sunday = _WEDNESDAY_SUNDAY[lang]
    # 3 April 2024 was a Wednesday (4 March a Monday); 7 April a Sunday (4 July a Thursday).
    assert dates.find_dates(f"{wednesday}, 03/04/2024") == ["2024-04-03"]
    assert dates.find_dates(f"{sunday}, 07/04/2024") == ["2024-04-07"]


def _readings(day: int) -> tuple[str, str]:
    """Return a d/m/2024 date whose day-first reading only falls on ``day`` (0: Monday)."""
    for a in range(1, 13):
        for b in range(1, 13):
            if a == b:
                continue
            first, other = datetime.date(2024, b, a), datetime.date(2024, a, b)
            if first.weekday() == day != other.weekday():
                return f"{a:02d}/{b:02d}/2024", first.isoformat()
    raise AssertionError(day)


def test_every_weekday_name_picks_its_day() -> None:
    """Every name of a day, in every language's `weekdays`, picks the date on that day."""
    for lang in languages("dates", ".json"):
        for day, group in enumerate(load_json(f"dates/{lang}.json").get("weekdays", [])):
            numeric, iso = _readings(day)
            for name in group:
                assert dates.find_dates(f"{name} {numeric}") == [iso], (lang, name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Solar Hijri (Iran, Afghanistan): converted to the Gregorian calendar
        ("تاریخ انتشار: ۱۵ آبان ۱۴۰۳ - ۱۴:۳۰", ["2024-11-05T14:30"]),
        ("۱۴۰۳/۰۸/۱۵", ["2024-11-05"]),
        ("1403/08/15 - 10:20", ["2024-11-05T10:20"]),
        ("1403-08-15", ["2024-11-05"]),
        ("۱ فروردین ۱۴۰۴", ["2025-03-21"]),
        ("۱ حمل ۱۴۰۳", ["2024-03-20"]),  # Dari month names
        ("۳۰ اسفند ۱۴۰۳", ["2025-03-20"]),  # 1403 is a leap year
        ("۳۰ اسفند ۱۴۰۲", ["۳۰ اسفند ۱۴۰۲"]),  # 1402 is not: no such day
        ("۳۱ مهر ۱۴۰۳", ["۳۱ مهر ۱۴۰۳"]),  # Mehr has 30 days
        ("آبان ۱۴۰۳", ["آبان ۱۴۰۳"]),  # a Solar Hijri month is no Gregorian month
        ("۵ نوامبر ۲۰۲۴", ["2024-11-05"]),  # Gregorian month names stay Gregorian
    ],
)
def test_find_dates_solar_hijri(text: str, expected: list[str]) -> None:
    assert dates.find_dates(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # times written with a dot (Indonesian, Dutch, German, Nordic sites)
        ("Senin, 4 Agustus 2025 14.30 WIB", ["2025-08-04T14:30"]),
        ("Senin, 04 Agu 2025 pukul 09.15 WIB", ["2025-08-04T09:15"]),
        ("3 augustus 2025 om 14.32 uur", ["2025-08-03T14:32"]),
        ("Stand: 03.08.2025, 14.30 Uhr", ["2025-08-03T14:30"]),  # dots: day first
        ("Stand: 23.08.2025, 14.30 Uhr", ["2025-08-23T14:30"]),
        ("Updated 3 August 2025 14.75", ["2025-08-03"]),  # no minute 75: no time
        ("3 August 2025 8.3", ["2025-08-03"]),  # a decimal, not a time
    ],
)
def test_find_dates_times_with_a_dot(text: str, expected: list[str]) -> None:
    assert dates.find_dates(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Japanese, Korean and Chinese: hours and minutes in words, a month and day alone
        ("2025年8月3日 14時30分", ["2025-08-03T14:30"]),
        ("2025년 8월 3일 14시 30분", ["2025-08-03T14:30"]),
        ("2025年8月3日 14時5分", ["2025-08-03T14:05"]),
        ("8月3日 14:30", ["8月3日 14:30"]),  # no year: as written
        ("8月3日(日) 14:30配信", ["8月3日(日) 14:30"]),
        ("8월 3일", ["8월 3일"]),
        ("13月3日", []),
    ],
)
def test_find_dates_cjk_times_and_days(text: str, expected: list[str]) -> None:
    assert dates.find_dates(text) == expected


@pytest.mark.parametrize("line", ["8月3日 14:30", "8月3日(日) 14:30配信", "8월 3일"])
def test_cjk_month_and_day_is_a_date_line(line: str) -> None:
    assert dates.date_shape(line) is not None


@pytest.mark.parametrize("line", ["13月3日", "8月3日に発表した", "5月の予定"])
def test_cjk_month_day_in_a_sentence_is_no_date_line(line: str) -> None:
    assert dates.date_shape(line) is None


@pytest.mark.parametrize("line", ["14.30 WIB", "Diperbarui 14.30 WIB", "pukul 09.15 WIB"])
def test_a_time_with_a_dot_is_a_stamp(line: str) -> None:
    assert dates.date_shape(line) == dates.DateShape("time", line[0] in "Dd")


@pytest.mark.parametrize("line", ["14.30", "14.75 WIB", "2.50 3.10", "Rp 14.500"])
def test_numbers_with_a_dot_are_no_time_stamp(line: str) -> None:
    assert dates.date_shape(line) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Hijri (lunar) dates come back as written, the Gregorian date beside them as ISO
        (
            "الخميس 17 جمادى الأولى 1446 هـ - 19 نوفمبر 2024 م",
            ["17 جمادى الأولى 1446", "2024-11-19"],
        ),
        (
            "جمعہ 17 جمادی الاول 1446ھ بمطابق 19 نومبر 2024ء",
            ["17 جمادی الاول 1446ھ", "2024-11-19"],
        ),
        ("Jumat, 17 Jumadil Awal 1446 H", ["17 Jumadil Awal 1446"]),
        ("Ramadan 2025", []),  # no Hijri year, no Gregorian month
    ],
)
def test_find_dates_hijri(text: str, expected: list[str]) -> None:
    assert dates.find_dates(text) == expected


def test_hijri_dates_are_date_lines_with_their_own_years_only() -> None:
    assert dates.date_shape("الخميس 17 جمادى الأولى 1446 هـ - 19 نوفمبر 2024 م") == (
        dates.DateShape("day", False)
    )
    assert dates.date_shape("رمضان 1446") == dates.DateShape("month", False)
    # a heading "Ramadan 2025" is no stamp: 2025 is no Hijri year, Ramadan no Gregorian month
    assert dates.date_shape("Ramadan 2025") is None
    assert dates.date_shape("رمضان 2025") is None
    assert dates.date_shape("آبان 2024") is None  # nor a Solar Hijri one
    assert dates.date_shape("May 1446") is None


def test_solar_hijri_dates_are_date_lines() -> None:
    assert dates.date_shape("تاریخ انتشار: ۱۵ آبان ۱۴۰۳ - ۱۴:۳۰") == dates.DateShape("day", True)
    assert dates.date_shape("۱۴۰۳/۰۸/۱۵") == dates.DateShape("day", False)
    assert dates.date_shape("آبان ۱۴۰۳") == dates.DateShape("month", False)
    # a Solar Hijri year needs a Solar Hijri month: "1403" beside "May" is no year
    assert dates.date_shape("May 1403") is None
    # and the Solar Hijri calendar comes with Persian: without it, "1403/08/15" is no date
    english = CleanConfig(languages=("en",))
    assert dates.date_shape("1403/08/15", config=english) is None
    assert dates.find_dates("1403/08/15", config=english) == []


def test_solar_hijri_conversion_matches_jdatetime() -> None:
    """Every day of the Solar Hijri years 1278-1479 (Gregorian 1900-2100), against jdatetime."""
    jdatetime = pytest.importorskip("jdatetime", reason="jdatetime comes with the test extra")
    lengths = [31] * 6 + [30] * 5
    for year in range(dates._MIN_JALALI, dates._MAX_JALALI + 1):
        leap = jdatetime.date(year, 1, 1).isleap()
        for month, days in enumerate([*lengths, 30 if leap else 29], start=1):
            for day in range(1, days + 1):
                want = jdatetime.date(year, month, day).togregorian()
                assert dates._from_jalali(year, month, day) == (want.year, want.month, want.day)
        assert (dates._from_jalali(year, 12, 30) is None) == (not leap)
        assert dates._from_jalali(year, 7, 31) is None


def test_date_shape_kinds() -> None:
    assert dates.date_shape("Updated 03 August 2025") == dates.DateShape("day", True)
    assert dates.date_shape("July 20, 2012") == dates.DateShape("day", False)
    assert dates.date_shape("October (15)") == dates.DateShape("month", False)
    assert dates.date_shape("5 hours ago") == dates.DateShape("relative", False)
    assert dates.date_shape("10:48 AM EDT") == dates.DateShape("time", False)


def test_dates_detect_removes_stamps_but_keeps_the_articles_bare_date() -> None:
    body = "The council approved the new budget after a long night of talks in the city hall."
    text = "\n".join(["Updated 03 August 2025", "July 20, 2012", body, body])
    assert labels(dates, text) == {"Updated 03 August 2025": "timestamp"}


def test_dates_detect_removes_archive_months_and_date_lists() -> None:
    body = "The council approved the new budget after a long night of talks in the city hall."
    archive = ["Archive", "May 2012", "April 2012", "March 2012 (4)"]
    stamps = ["Jul 20 2012", "Jul 21 2012", "Jul 22 2012", "Jul 23 2012"]
    teasers = [x for s in stamps for x in ("Some headline", s)]
    text = "\n".join([body, body, *["x"] * 4, *archive, *teasers])
    got = labels(dates, text)
    assert all(got.get(x) == "timestamp" for x in archive[1:] + stamps)
    assert "Archive" not in got


def test_is_date_word() -> None:
    assert dates.is_date_word("September")
    assert dates.is_date_word("août")
    assert not dates.is_date_word("Jalilov")


# ---------------------------------------------------------------- bylines


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("By Orkhan Jalilov September 5, 2018", "Orkhan Jalilov"),
        ("By SCOTT SHANE", "SCOTT SHANE"),
        ("Par Jean Dupont", "Jean Dupont"),
        ("Von Anna Schmidt", "Anna Schmidt"),
        ("Por María López", "María López"),
        ("Di Mario Rossi", "Mario Rossi"),
        ("Written by John Smith", "John Smith"),
        ("Staff Reporter", "Staff Reporter"),
        ("By John Smith, Staff Writer", "John Smith"),
        ("By John Smith and Jane Doe | Reuters", "John Smith and Jane Doe"),
        ("By Ahmed al-Amin in Cairo", "Ahmed al-Amin"),
        ("By Jan van der Berg", "Jan van der Berg"),
        ("Posted by Rand Fishkin on January 31, 2011 at 5:30 pm", "Rand Fishkin"),
        ("Author: Jane Doe", "Jane Doe"),
        ("By the Associated Press", "the Associated Press"),
        ("Автор: Иван Петров", "Иван Петров"),
        ("بقلم: محمد علي", "محمد علي"),
        ("تحریر: احمد خان", "احمد خان"),
        ("作者：张三", "张三"),
        ("By Erin Lantz Nov. 5", "Erin Lantz"),
        ("by Sky Friedlander. Posted on 3:30 pm Tuesday Nov 13, 2012", "Sky Friedlander"),
        ("By UWE E. REINHARDT", "UWE E. REINHARDT"),
        ("Por Maria Souza, g1 — Brasília", "Maria Souza"),  # an outlet's name with a digit
        # a job title after the name is a role, not one more name
        ("By DAVID LIEBERMAN, Executive Editor", "DAVID LIEBERMAN"),
        ("By Jane Smith, Editor-in-Chief | May 5, 2024", "Jane Smith"),
        ("Par Jean Dupont, rédacteur en chef", "Jean Dupont"),
        ("Von Anna Schmidt, Chefredakteurin", "Anna Schmidt"),
        ("Por María López, columnista", "María López"),
        ("Di Mario Rossi, caporedattore", "Mario Rossi"),
        ("Door Jan de Vries, hoofdredacteur", "Jan de Vries"),
        # a part after a comma that names a job is no second name
        ("By Dan Friedman, AdWords Product Manager", "Dan Friedman"),
        ("By Peter Hamby, CNN Political Reporter", "Peter Hamby"),
        ("By Niti Mangtani, Group Product Manager, Google Offers", "Niti Mangtani"),
        ("Par Jean Dupont, directeur de la rédaction", "Jean Dupont"),
        (
            "By Patti Waldmeir, Leslie Hook and Jamil Anderlini",
            "Patti Waldmeir, Leslie Hook and Jamil Anderlini",
        ),
        # an outlet written in capitals after a name is no more of the name
        ("By Wayne Drash, CNN", "Wayne Drash"),
        ("By JoNel Aleccia, NBC News", "JoNel Aleccia"),
        ("By Mike Whalley BBC Sport", "Mike Whalley"),
        ("By Helen Briggs BBC News", "Helen Briggs"),
        ("By Jane Smith, AP | May 5, 2024", "Jane Smith"),
        ("Par Jean Dupont, AFP", "Jean Dupont"),
        # unless the whole name is written in capitals, or the capitals are an initial
        ("By DAVID BAUDER, AP", "DAVID BAUDER"),
        ("By TARA PARKER-POPE", "TARA PARKER-POPE"),
        ("By Franklin D. Roosevelt", "Franklin D. Roosevelt"),
        ("By Jane Smith and Tom Jones", "Jane Smith and Tom Jones"),
    ],
)
def test_bylines(line: str, name: str) -> None:
    parsed = bylines.parse_byline(line)
    assert parsed is not None
    assert parsed.name == name
    assert bylines.extract_name(line) == name


@pytest.mark.parametrize(
    "line",
    [
        "By 2030, the city will have doubled its bus fleet.",
        "By Tuesday the flood had receded.",
        "By clicking here you agree to our terms.",
        "By Category",
        "By The Numbers",
        "BY WEEK",  # a schedule's menu: "BY DATE", "BY TEAM", "BY WEEK"
        "By Team",
        "Text Size",
        "Staff Directory",
        "Von der Leyen sagte am Montag, die Gespräche gingen weiter.",
        "Por qué el Gobierno adelanta las elecciones",
        "كتب الرئيس رسالة إلى الشعب اليوم",
        "by randfish on January 31, 2011",
        # a job title alone is a masthead's entry, not a credit
        "Managing Editor",
        "Editor-in-Chief",
        "Rédacteur en chef",
    ],
)
def test_not_bylines(line: str) -> None:
    assert bylines.parse_byline(line) is None


def test_extract_name_falls_back_to_the_line() -> None:
    assert bylines.extract_name("  not a byline  ") == "not a byline"


def test_bylines_detect() -> None:
    text = "Headline here\nBy Orkhan Jalilov September 5, 2018\nBy 2030, the city will grow.\n"
    assert labels(bylines, text) == {"By Orkhan Jalilov September 5, 2018": "byline"}


@pytest.mark.parametrize(
    ("line", "name", "role", "lead"),
    [
        ("김민수 기자", "김민수", "기자", ""),
        ("김민수 기자 minsu@example.co.kr", "김민수", "기자", ""),
        ("김민수 기자 (minsu@example.co.kr)", "김민수", "기자", ""),
        ("워싱턴=김민수 특파원", "김민수", "특파원", ""),
        ("김민수·이영희 기자", "김민수·이영희", "기자", ""),
        ("이영희 선임기자", "이영희", "선임기자", ""),
        ("박지훈 논설위원", "박지훈", "논설위원", ""),
        ("山田太郎記者", "山田太郎", "記者", ""),
        ("山田記者", "山田", "記者", ""),
        ("山田太郎 編集委員", "山田太郎", "編集委員", ""),
        ("佐藤 花子 記者", "佐藤 花子", "記者", ""),
        ("ワシントン＝山田太郎記者", "山田太郎", "記者", ""),
        # after a lead, the role is no longer part of the name
        ("기자명 김민수 기자", "김민수", "기자", "기자명"),
    ],
)
def test_bylines_name_then_role(line: str, name: str, role: str, lead: str) -> None:
    parsed = bylines.parse_byline(line)
    assert parsed is not None, line
    assert (parsed.name, parsed.role, parsed.lead) == (name, role, lead)
    assert bylines.extract_name(line) == name


@pytest.mark.parametrize(
    "line",
    [
        # a role with no name, or a word that is no name before it
        "기자",
        "특파원",
        "記者",
        "현직 기자",
        "올해의 기자",
        "연합뉴스 김민수 기자",  # a credit before the name: not read as a name
        "20년 차 기자",
        # sentences that end with the role
        "그는 기자.",
        "김민수 기자는 3일 이같이 말했다.",
        "彼は元新聞記者",
        "そう語った記者",
        "山田太郎記者が取材した。",
        # a word glued to the role, not a name: a compound, one kanji, five kanji, kana
        "新聞記者",
        "元新聞記者",
        "政治部記者",
        "林記者",
        "北京特派員",
        "記者会見",
        "佐々木健一郎記者",
        # after the role, an e-mail address only
        "김민수 기자 @minsu",
        "김민수 minsu@example.co.kr 기자",
        "김민수 기자 연락처",
        # English is unchanged: no English role is read after a name
        "Jane Doe Reporter",
        "Jane Doe, Staff Writer",
        "By John Smith john@example.com",
    ],
)
def test_not_bylines_name_then_role(line: str) -> None:
    assert bylines.parse_byline(line) is None


def test_bylines_detect_name_then_role() -> None:
    text = "전력 수요 역대 최고\n김민수 기자\n김민수 기자는 3일 이같이 말했다.\n山田太郎記者\n"
    doc = Document(text)
    found = bylines.detect(doc, {}, CFG)
    assert [(doc.lines[m.line].text, m.label) for m in found] == [
        ("김민수 기자", "byline"),
        ("山田太郎記者", "byline"),
    ]
    assert found[0].reason == "a byline: the name '김민수' followed by the role '기자'"
    # A role ends lines 1 and 3; the sentence on line 2 is not even parsed.
    assert prescreen.candidates(doc, CFG).bylines == [1, 3]


def test_name_then_role_needs_the_language() -> None:
    assert bylines.parse_byline("김민수 기자", config=CleanConfig(languages=("en",))) is None
    assert bylines.parse_byline("김민수 기자", config=CleanConfig(languages=("ko",))) is not None
    assert not bylines.lexicon_ends(("en",)).could_end("Jane minsu@example.co.kr", "jane")


# An author's note names the byline's author, then says who they are: a trailer, not text.
_BIO_PAGE = (
    "Storm closes the port\n"
    "By Cyrus Farivar\n"
    "The port closed on Monday as the storm reached the coast, officials said.\n"
    "Cyrus Farivar is the senior business editor at Example News and the author of a book.\n"
    "Cyrus Farivar / Cyrus is also a radio producer.\n"
    "Cyrus Farivar is\n"
    "Cyrus Farivarson is a name that only starts like the author's, and this line stays.\n"
    "Farivar is the port's harbour master, said the mayor, and he saw it close.\n"
)


def test_author_note_after_the_byline() -> None:
    doc = Document(_BIO_PAGE)
    found = {doc.lines[m.line].text: m for m in bylines.detect(doc, {}, CFG)}
    assert {text: m.label for text, m in found.items()} == {
        "By Cyrus Farivar": "byline",
        "Cyrus Farivar is the senior business editor at Example News and the author of a book.": (
            "trailer"
        ),
        "Cyrus Farivar / Cyrus is also a radio producer.": "trailer",
    }
    note = found["Cyrus Farivar / Cyrus is also a radio producer."]
    assert note.reason == "an author's note: the byline's name 'Cyrus Farivar' followed by 'is'"
    assert note.detector == "bylines"


def test_author_note_needs_a_byline() -> None:
    text = _BIO_PAGE.replace("By Cyrus Farivar\n", "")
    assert labels(bylines, text) == {}
    # A bare credit is no person: "Reuters is ..." stays.
    assert labels(bylines, "Reuters\nReuters is a news agency with bureaus in many cities.\n") == {
        "Reuters": "byline"
    }


@pytest.mark.parametrize(
    ("byline", "note"),
    [
        ("By Jane Doe and John Roe", "John Roe was a reporter here for ten years before this."),
        ("Par Marie Dupont", "Marie Dupont est journaliste au service économie depuis 2019."),
        ("Von Max Mustermann", "Max Mustermann ist Redakteur im Ressort Wirtschaft."),
        # a reporter's verb: what the author covers
        ("By David Axe", "David Axe reports from war zones, shoots television and writes comics."),
        ("By David Axe", "David Axe covers defence for the paper from its bureau in the capital."),
        ("By David Axe", "David Axe writes about war, aviation and the people who fight."),
    ],
)
def test_author_note_of_any_author(byline: str, note: str) -> None:
    text = f"Headline of the story\n{byline}\nThe text of the story runs here at length.\n{note}\n"
    assert labels(bylines, text)[note] == "trailer"


def test_author_note_by_the_first_name_names_a_job() -> None:
    # After "By Christina Bonnington", a note may call her by her first name; it says what
    # she does (a job word of ``title_words``). Without one, the line is the article's: a
    # story may well be about someone of the author's first name.
    text = (
        "Storm closes the port\n"
        "By Christina Bonnington\n"
        "The port closed on Monday as the storm reached the coast, officials said.\n"
        "Christina is a staff writer covering Apple, robotics and everything in between.\n"
        "Christina is a nurse at the harbour clinic and saw the boats come in at dawn.\n"
        "Bonnington is a staff writer who never looked at the port at all, said the mayor.\n"
    )
    assert labels(bylines, text) == {
        "By Christina Bonnington": "byline",
        "Christina is a staff writer covering Apple, robotics and everything in between.": (
            "trailer"
        ),
    }
    note = bylines.detect(Document(text), {}, CFG)[1]
    assert note.reason == "an author's note: the byline's name 'Christina' followed by 'is'"


def test_author_note_after_a_glued_button() -> None:
    # "By Robert BeckhusenEmail Author": the name is "Robert Beckhusen", whose note follows.
    text = (
        "Headline of the story\n"
        "By Robert BeckhusenEmail Author\n"
        "The text of the story runs here at length, with what the officials said.\n"
        "Robert Beckhusen is a writer based in Austin, Texas.\n"
    )
    res = dedup.clean_and_explain(text)
    assert res.byline == "Robert Beckhusen"
    assert [r.label for r in res.removals] == ["byline", "trailer"]


def test_author_notes_of_many_bylines_are_matched_in_linear_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A file of many articles, each bylined by its own author with a note on them: each line
    # is matched against the authors of its own first word, each author once, not against
    # every byline of the file (which took 8.8 s for 8,000 bylines, 0.8 s now). Counted: the
    # authors handed to `match_author_note` per page, at n and 2n articles.
    def name(i: int) -> str:  # a made-up first name in letters (a name holds no digit)
        return "".join(chr(ord("a") + (i // 26**j) % 26) for j in range(4)).capitalize()

    def page(n: int) -> str:
        return "".join(
            f"By {name(i)} Jones\n{name(i)} Jones is a reporter at the Herald.\n"
            f"The port closed on Monday as the storm reached the coast, officials said.\n"
            f"By {name(0)} Jones\n"  # the same author bylined again: asked once
            for i in range(1, n + 1)
        )

    asked: list[int] = []
    match = bylines.match_author_note

    def counting(text: str, authors: list[tuple[str, ...]], **kw: object) -> object:
        asked.append(len(authors))
        return match(text, authors, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(bylines, "match_author_note", counting)
    work = []
    for n in (100, 200):
        asked.clear()
        marks = bylines.detect(Document(page(n)), {}, CFG)
        assert sum(m.label == "trailer" for m in marks) == n  # every note found
        work.append(sum(asked))
    assert work[1] <= 2.2 * work[0], work


def test_author_note_is_not_the_byline_metadata() -> None:
    text = (
        "Storm closes the port\n"
        "By Cyrus Farivar\n"
        "The port closed on Monday as the storm reached the coast, officials said.\n"
        "Farivar is the port's harbour master, said the mayor, who saw it close at noon.\n"
        "Cyrus Farivar is the senior business editor at Example News.\n"
    )
    res = dedup.clean_and_explain(text)
    assert res.byline == "Cyrus Farivar"
    assert res.text == (
        "Storm closes the port\n"
        "The port closed on Monday as the storm reached the coast, officials said.\n"
        "Farivar is the port's harbour master, said the mayor, who saw it close at noon.\n"
    )
    assert [r.label for r in res.removals] == ["byline", "trailer"]


# ---------------------------------------------------------------- trailers


@pytest.mark.parametrize(
    ("line", "lang"),
    [
        ("Published in Dawn, November 27th, 2025", "en"),
        ("This article first appeared in The Conversation.", "en"),
        ("Copyright 2024 The Associated Press. All rights reserved.", "en"),
        ("(Reporting by John Smith; Editing by Jane Doe)", "en"),
        ("© 2012 Foo Media", "en"),
        ("All Rights Reserved.", "en"),
        ("Tous droits réservés", "fr"),
        ("Publié dans Le Monde, 3 août 2025", "fr"),
        ("Alle Rechte vorbehalten.", "de"),
        ("Mit Material von dpa", "de"),
        ("Todos los derechos reservados", "es"),
        ("Con información de Reuters", "es"),
        ("Todos os direitos reservados", "pt"),
        ("Riproduzione riservata", "it"),
        ("Все права защищены", "ru"),
        ("（完）", "zh"),
        ("جميع الحقوق محفوظة", "ar"),
        ("نشر في الأهرام، 3 مايو 2024", "ar"),
        ("جملہ حقوق محفوظ ہیں", "ur"),
    ],
)
def test_trailers(line: str, lang: str) -> None:
    hit = trailers.match_trailer(line)
    assert hit is not None
    assert hit.endswith(f"({lang})")


@pytest.mark.parametrize(
    "line",
    [
        "Published in 1998, the novel sold a million copies.",
        "Reporting by the BBC suggested that the plan had failed.",
        "Copyright law is changing fast in the European Union.",
        "Published on May 5, 2024",  # the article's timestamp, not a trailer
        "نشر في الصحيفة مقال طويل عن الاقتصاد",
        "Avec le temps, tout s'en va",
    ],
)
def test_not_trailers(line: str) -> None:
    assert trailers.match_trailer(line) is None


def test_a_failed_names_pattern_leaves_the_other_patterns_to_match() -> None:
    # "copyright ~~" (en) matches the key first but wants capitalised names or a date, which
    # a Korean line has not; the Korean "copyright c **" must still get its turn.
    assert trailers.match_trailer("Copyright ⓒ 조선일보 & chosun.com") == '"copyright c **" (ko)'


def test_trailers_detect() -> None:
    text = "The minister spoke.\nPublished in Dawn, November 27th, 2025\nOpinion\n"
    assert labels(trailers, text) == {"Published in Dawn, November 27th, 2025": "trailer"}


# ---------------------------------------------------------------- resources


def _phrase_files() -> list[str]:
    kinds = ("chrome", "trailers", "pointers", "insets", "threads", "comment_verbs")
    return [f"{kind}/{lang}.txt" for kind in kinds for lang in languages(kind)]


def test_pager_marks_are_unique_punctuation() -> None:
    marks = load_lines("navigation/common.txt")
    assert len(marks) == len(set(marks)) >= 4
    assert all(not match_key(m) for m in marks)  # no letters: every script's pages use them


def test_breadcrumb_marks_are_unique_punctuation() -> None:
    marks = load_lines("navigation/breadcrumbs.txt")
    assert len(marks) == len(set(marks)) >= 3
    assert all(not match_key(m) for m in marks)  # no letters: every script's pages use them
    assert "/" not in marks  # it parts datelines ("Tuesday, 11.06.2012 / 4:54 PM / News")
    assert "|" not in marks  # and byline rows


@pytest.mark.parametrize("lang", languages("comment_verbs"))
def test_every_comment_verb_ends_a_header(lang: str) -> None:
    # One word each: a header's verb is its key's last word ("Jane Doe says:").
    for verb in load_lines(f"comment_verbs/{lang}.txt"):
        assert " " not in match_key(verb), (lang, verb)
        line = f"Jane Doe {verb}:"
        got = content._verb_signature(Line(0, 0, len(line), len(line), line))
        assert got == f"^ <name> {match_key(verb)} :", (lang, verb)


def _json_files() -> list[str]:
    kinds = ("dates", "bylines", "recipes")
    out = [f"{kind}/{lang}.json" for kind in kinds for lang in languages(kind, ".json")]
    return [*out, "dates/common.json", "bylines/common.json"]


def test_every_language_ships_every_kind() -> None:
    wanted = {"en", "fr", "de", "es", "ar", "ur", "pt", "it", "ru", "zh"}
    wanted |= {"nl", "pl", "tr", "id", "ja", "ko", "fa", "hi"}
    assert wanted <= set(languages("chrome"))
    assert wanted <= set(languages("trailers"))
    assert wanted <= set(languages("pointers"))
    assert wanted <= set(languages("insets"))
    assert wanted <= set(languages("threads"))
    assert wanted - {"ja", "ko"} <= set(languages("comment_verbs"))  # headers end in a name
    assert wanted <= set(languages("dates", ".json"))
    assert wanted <= set(languages("bylines", ".json"))
    assert wanted <= set(languages("recipes", ".json"))


@pytest.mark.parametrize("path", _phrase_files())
def test_phrase_file_has_no_empty_or_duplicate_entries(path: str) -> None:
    entries = load_lines(path)
    assert entries, f"{path} is empty"
    keys = [
        " ".join(match_key(t) if t not in chrome.WILDCARDS else t for t in e.split())
        for e in entries
    ]
    assert all(k.strip() for k in keys), f"{path}: an entry has no letters"
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    assert not dupes, f"{path}: duplicate entries {dupes}"
    for entry in entries:
        if chrome.WILDCARDS & set(entry.split()):
            re.compile(chrome.pattern_regex(entry))


@pytest.mark.parametrize("path", _json_files())
def test_json_resource_is_well_formed(path: str) -> None:
    data = load_json(path)
    assert isinstance(data, dict)
    assert data
    for key, values in data.items():
        if key == "buddhist_era":  # a flag: the language's years may be Buddhist Era years
            assert isinstance(values, bool), f"{path}:{key} must be true or false"
            continue
        assert isinstance(values, list), f"{path}:{key} must be a list"
        if key in ("months", "jalali_months", "hijri_months"):
            assert len(values) == 12, f"{path}: {key} must list 12 months"
            flat = [name for month in values for name in month]
        elif key == "weekdays":
            assert len(values) == 7, f"{path}: weekdays must list 7 days, Monday first"
            flat = [name for day in values for name in day]
        else:
            flat = values
        assert all(isinstance(x, str) and x.strip() for x in flat), f"{path}:{key} empty entry"
        norm = [match_key(x) or x for x in flat]
        dupes = sorted({x for x in norm if norm.count(x) > 1})
        assert not dupes, f"{path}:{key} duplicates {dupes}"


def test_no_month_name_is_in_two_calendars() -> None:
    """A name is a month of one calendar (Gregorian, Solar Hijri, Hijri), in every language."""
    names: dict[str, set[str]] = {"months": set(), "jalali_months": set(), "hijri_months": set()}
    for path in _json_files():
        if path.startswith("dates/"):
            for key, found in names.items():
                found.update(match_key(n) for month in load_json(path).get(key, ()) for n in month)
    assert all(names.values())
    for a, b in itertools.combinations(names, 2):
        assert not names[a] & names[b], (a, b, names[a] & names[b])


@pytest.mark.parametrize("lang", languages("bylines", ".json"))
def test_glued_roles_are_one_word_trailing_roles(lang: str) -> None:
    data = load_json(f"bylines/{lang}.json")
    trailing = {match_key(x) for x in data.get("trailing_roles", ())}
    for role in data.get("glued_roles", ()):
        assert match_key(role) in trailing, f"{lang}: glued role {role!r} not in trailing_roles"
        assert " " not in match_key(role), f"{lang}: glued role {role!r} is several words"


@pytest.mark.parametrize("lang", languages("bylines", ".json"))
def test_job_titles_end_a_name_but_are_no_byline_alone(lang: str) -> None:
    data = load_json(f"bylines/{lang}.json")
    assert data.get("job_titles") or lang not in ("en", "fr", "de", "es", "it", "pt", "nl")
    for title in data.get("job_titles", ()):
        for written in (title.title(), title.title().replace(" ", "-")):
            assert bylines.parse_byline(written) is None, f"{lang}: {written!r} alone"
            assert bylines.parse_byline(f"By Jane Smith, {written}").name == "Jane Smith"


def test_resource_files_are_utf8_json() -> None:
    for path in _json_files():
        json.loads(ROOT.joinpath(path).read_text(encoding="utf-8"))
    assert ROOT.joinpath("README.md").is_file()


# ---------------------------------------------------------------- properties


_ISO = re.compile(r"\d{4}-\d{2}(?:-\d{2}(?:T\d{2}:\d{2})?)?")
# Text made of the pieces dates and bylines are built from, so the parsers' branches run.
_PIECES = st.sampled_from(
    [
        "By",
        "by",
        "Par",
        "Updated",
        "May",
        "août",
        "أغسطس",
        "2024",
        "31",
        "5",
        "27th",
        "1er",
        "10:15",
        "pm",
        "GMT",
        "ago",
        "hours",
        "il y a",
        "/",
        "-",
        ",",
        "|",
        ":",
        "(",
        ")",
        "©",
        "John",
        "SMITH",
        "al-Amin",
        "van",
        "and",
        "Reuters",
        "2024-02-30",
        "12/03/2019",
        "2024年4月26日",
        "٣",
        "the",
        "city",
        "\u00a0",
        "Staff Reporter",
        "Published in",
        "김민수",
        "기자",
        "워싱턴=",
        "山田太郎記者",
        "minsu@example.co.kr",
    ]
)
_LINES = st.one_of(
    st.text(max_size=80),
    st.lists(_PIECES, max_size=12).map(" ".join),
)


@settings(max_examples=300, deadline=None)
@given(_LINES)
def test_lexical_functions_never_fail_and_stay_in_the_text(line: str) -> None:
    for found in dates.find_dates(line):
        assert _ISO.fullmatch(found) or found in line
    dates.is_date_line(line)
    name = bylines.extract_name(line)
    assert name in line.strip() or name == line.strip()
    chrome.match_chrome(line)
    trailers.match_trailer(line)


@settings(max_examples=100, deadline=None)
@given(st.lists(_LINES, max_size=12).map("\n".join))
def test_detectors_mark_only_nonblank_lines_once(text: str) -> None:
    doc = Document(text)
    for detector in (chrome, dates, bylines, trailers):
        got = detector.detect(doc, {}, CFG)
        lines = [m.line for m in got]
        assert len(lines) == len(set(lines))
        assert all(not doc.lines[i].blank for i in lines)


def _own_pretests(line: Line) -> tuple[bool, bool, bool, bool]:
    """Return whether trailers, bylines, dates and chrome each pass ``line`` to their full test.

    The tests as each detector ran them on every line before the shared pre-screen: length
    caps, then `PhraseSet.could_match` (trailers, chrome), the first word (bylines, dates),
    `RoleEnds.could_end` (bylines written name first: "김민수 기자"); and for chrome a colon
    (a "<label>: **" entry), a separator on a line whose first word starts a phrase (a row
    between separators), a mark of a link to another post at an end of the line or a mark
    of a breadcrumb trail anywhere on it.
    """
    stripped, width, key = line.stripped, len(line.text), line.key
    first = key.split(" ")[0]
    tr, ch = chrome.compile_phrases("trailers", None), chrome.compile_phrases("chrome", None)
    tr_key = trailers.trailer_key(stripped) if trailers.has_copyright(stripped) else key
    trailer = (
        len(stripped) <= CFG.trailer_max_chars
        and width <= 2 * CFG.trailer_max_chars
        and tr.could_match(tr_key, counts=False)
    )
    byline = (
        len(stripped) <= CFG.byline_max_chars
        and width <= 2 * CFG.byline_max_chars
        and (
            first in bylines.lexicon_firsts(None)
            or bylines.lexicon_ends(None).could_end(stripped, key)
        )
    )
    date = (
        len(stripped) <= CFG.max_date_line_chars
        and width <= 2 * CFG.max_date_line_chars
        and (first in dates.vocabulary_words(None) or re.search(r"\d", first) is not None)
    )
    chrome_ = (
        len(stripped) <= CFG.max_chrome_chars
        and width <= 2 * CFG.max_chrome_chars
        and (
            ch.could_match(key, row_words=CFG.chrome_row_max_words)
            or bool(ch.prefixes and (":" in stripped or "：" in stripped))
            # a row of plain phrases between separators (`chrome.separated_row`): its first
            # word starts a phrase, and a separator is on the line ("A-Z | Archive")
            or (first in ch.heads and not chrome.ROW_SEPARATOR_CHARS.isdisjoint(stripped))
            # a link to another post (`chrome.pager_link`): a mark at the start or the end
            or any(stripped.startswith(m[0]) or stripped.endswith(m[-1]) for m in PAGER)
            # a breadcrumb trail (`chrome.breadcrumb`): a mark between spaces
            or any(f" {m} " in re.sub(r"\s", " ", stripped) for m in CRUMBS)
        )
    )
    return trailer, byline, date, chrome_


PAGER = chrome.pager_marks()
CRUMBS = chrome.breadcrumb_marks()


@settings(max_examples=200, deadline=None)
@given(st.lists(_LINES, max_size=12).map("\n".join))
@example("A|")  # a phrase's first word and a separator: a row between separators may follow
def test_prescreen_passes_exactly_the_lines_the_detectors_own_tests_pass(text: str) -> None:
    doc = Document(text)
    found = prescreen.candidates(doc, CFG)
    for i in doc.content_lines:
        got = (
            i in found.trailers,
            i in found.bylines,
            i in found.dates,
            i in found.chrome,
        )
        assert got == _own_pretests(doc.lines[i]), doc.lines[i].text


def test_prescreen_is_kept_for_the_cleaners_next_pass() -> None:
    doc = Document("Share\nBy John Smith\nMay 5, 2024\nThe council met on Monday.")
    first = prescreen.candidates(doc, CFG)
    assert prescreen.candidates(doc, CFG) is first  # one scan per document and config
    assert first.bylines[:1] == [1]
    assert first.dates[:1] == [2]
    assert first.chrome[:1] == [0]
    view = Document.from_lines(doc.lines[1:])  # the next pass, without "Share"
    again = prescreen.candidates(view, CFG)
    for kind in ("trailers", "bylines", "dates", "chrome"):
        expected = [i - 1 for i in getattr(first, kind) if i > 0]  # the same lines, re-indexed
        assert getattr(again, kind) == expected


# ---------------------------------------------------------------- whole pages

_FR_PAGE = """Grève des transports : trafic très perturbé lundi à Lyon
Publié le 3 août 2025 à 14h30
Par Jean Dupont
Partager sur Facebook
Les usagers des transports en commun lyonnais ont dû s'armer de patience lundi, au premier \
jour d'une grève qui a fortement perturbé le trafic des métros et des bus.
Selon la direction, seul un métro sur deux circulait aux heures de pointe, tandis que \
plusieurs lignes de bus étaient totalement interrompues.
Avec AFP
Tous droits réservés
"""

_AR_PAGE = """افتتاح محطة جديدة لتحلية المياه
آخر تحديث: 26 أبريل 2024
بقلم: محمد علي
شارك
افتتحت الحكومة يوم الأحد محطة جديدة لتحلية مياه البحر بطاقة إنتاجية كبيرة تكفي لتزويد مئات \
الآلاف من السكان بمياه الشرب.
وقال وزير المياه إن المحطة ستسهم في مواجهة أزمة المياه المتفاقمة في المنطقة خلال فصل الصيف.
جميع الحقوق محفوظة
"""


@pytest.mark.parametrize(
    ("page", "expected", "byline", "published"),
    [
        (
            _FR_PAGE,
            {
                "Publié le 3 août 2025 à 14h30": "timestamp",
                "Par Jean Dupont": "byline",
                "Partager sur Facebook": "chrome",
                "Avec AFP": "trailer",
                "Tous droits réservés": "trailer",
            },
            "Jean Dupont",
            ("2025-08-03T14:30",),
        ),
        (
            _AR_PAGE,
            {
                "آخر تحديث: 26 أبريل 2024": "timestamp",
                "بقلم: محمد علي": "byline",
                "شارك": "chrome",
                "جميع الحقوق محفوظة": "trailer",
            },
            "محمد علي",
            ("2024-04-26",),
        ),
    ],
    ids=["fr", "ar"],
)
def test_whole_page_labels_and_metadata(
    page: str, expected: dict[str, str], byline: str, published: tuple[str, ...]
) -> None:
    result = dedup.clean_and_explain(page)
    got = {ll.span.slice(page).strip(): ll.label for ll in result.line_labels}
    assert {line: got[line] for line in expected} == expected
    paragraphs = [line for line in page.splitlines() if len(line.split()) > 12]
    assert all(got[line] == "content" for line in paragraphs)
    assert result.byline == byline
    assert result.published == published


@pytest.mark.parametrize("lang", languages("insets"))
def test_every_inset_is_a_chrome_line(lang: str) -> None:
    # An inset ("Advertisement", "Image caption") is removed, and costs nothing in the text.
    for entry in load_lines(f"insets/{lang}.txt"):
        if not chrome.WILDCARDS & set(entry.split()):
            assert chrome.match_chrome(entry.capitalize()) is not None, (lang, entry)


@pytest.mark.parametrize("lang", languages("pointers"))
def test_every_pointer_is_a_chrome_line(lang: str) -> None:
    # A pointer ("Related", "Lire aussi") heads links to other articles: the line goes too.
    for entry in load_lines(f"pointers/{lang}.txt"):
        assert not chrome.WILDCARDS & set(entry.split()), f"{lang}: {entry!r}: plain phrases only"
        assert chrome.match_chrome(entry.capitalize() + ":") is not None, (lang, entry)


@pytest.mark.parametrize(
    ("date_line", "body", "published"),
    [
        (
            "August 3, 2025",
            "The council met on Monday to discuss the budget, which was delayed.",
            "2025-08-03",
        ),
        (
            "2025-08-03 15:30",
            "The council met on Monday to discuss the budget, which was delayed.",
            "2025-08-03T15:30",
        ),
        (
            "2025年8月3日 15時30分",
            "東京都は3日、新しい予算案を発表した。予算は前年より大幅に増えた。",
            "2025-08-03T15:30",
        ),
        (
            "3 août 2025",
            "Le conseil municipal s'est réuni lundi pour discuter du budget de la ville.",
            "2025-08-03",
        ),
    ],
    ids=["en", "iso", "ja", "fr"],
)
def test_the_articles_own_date_line_is_kept_and_published(
    date_line: str, body: str, published: str
) -> None:
    # A bare date under the headline is most often the article's own date: it is kept, and
    # it is the date a user wants in `published`.
    text = f"Council delays the budget vote\n{date_line}\n{body}"
    result = dedup.clean_and_explain(text)
    assert date_line in result.text
    assert result.published == (published,)


@pytest.mark.parametrize(
    ("dateline", "published"),
    [
        ("नई दिल्ली | 3 अगस्त 2025, 14:30 IST", ("2025-08-03T14:30",)),
        ("2025年08月03日 14:30 新京报", ("2025-08-03T14:30",)),
        ("Madrid - 3 August 2025", ("2025-08-03",)),
        ("Hearing set for 5 September", ()),  # no year: a standfirst's date, not the article's
    ],
    ids=["hi", "zh", "en", "standfirst"],
)
def test_a_kept_dateline_under_the_headline_is_published(
    dateline: str, published: tuple[str, ...]
) -> None:
    # A place or a source beside the date makes no date line (nothing is removed), but right
    # under the headline it is the article's dateline: its full date is the one published.
    body = "The council met on Monday to discuss the budget, which was delayed for a month."
    text = f"Council delays the budget vote\n{dateline}\n{body}\n{body}"
    result = dedup.clean_and_explain(text)
    assert dateline in result.text
    assert result.published == published


def test_archive_months_come_after_the_articles_date_in_published() -> None:
    # A blog's sidebar lists its archive by month above the post: every month is a removed
    # stamp, but the post's own date is the one a user wants first.
    archive = ["Blog Archive", "November 2012", "October 2012", "September 2012"]
    body = "The council met on Monday to discuss the budget, which was delayed for a month."
    post = ["Council delays the budget vote", "Posted on November 6, 2012", body, body]
    result = dedup.clean_and_explain("\n".join([*archive, *post]))
    assert result.published == ("2012-11-06", "2012-11", "2012-10", "2012-09")


def test_byline_prefers_the_author_to_a_bare_credit() -> None:
    # The agency's name printed alone above the headline is a credit; the author's byline
    # under it is the byline a user wants.
    text = "\n".join(
        [
            "연합뉴스",
            "서울시, 내년 예산 48조 원 편성",
            "김민수 기자",
            "서울시가 내년도 예산을 48조 원 규모로 편성했다고 3일 밝혔다. "
            "이는 올해보다 약 5% 늘어난 규모다.",
        ]
    )
    assert dedup.clean_and_explain(text).byline == "김민수"
    # with a credit alone, the credit
    assert dedup.clean_and_explain(text.replace("김민수 기자\n", "")).byline == "연합뉴스"


_HEADLINE = "Council approves bridge plan"
_BODY = (
    "The town council approved the long-delayed bridge plan at its meeting on Tuesday, two "
    "members of the planning committee said.\n"
    "The plan, first presented three years ago, had stalled over the cost of moving a water "
    "main that runs under the old crossing."
)


@pytest.mark.parametrize(
    ("row", "byline"),
    [
        ("August 3, 2025 | By Jane Smith", "Jane Smith"),
        ("Posted on November 9, 2012 at 6:41 AM by Heidi Volpe", "Heidi Volpe"),
        ("3 août 2025 - Par Jean Dupont", "Jean Dupont"),
        ("06 March 2024 by Jane Smith Discuss (3)", "Jane Smith"),  # a comments link after it
        ("Oct 30, 2012 - Leave a Comment", None),
        # a credit beside a dek's words is no byline row
        ("The stand-off by the river goes on", None),
        ("Photos by John Smith", None),
    ],
)
def test_byline_of_a_kept_row_under_the_title(row: str, byline: str | None) -> None:
    # A row of a date and a byline stays in the text (a date part keeps the line), and
    # still names the author in the metadata.
    text = f"{_HEADLINE}\n{row}\n{_BODY}"
    result = dedup.clean_and_explain(text)
    assert row in result.text
    assert result.byline == byline
    found = bylines.byline_in_row(row)
    assert (found.name if found is not None else None) == byline


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("By George Ambler Leave a Comment", "George Ambler"),  # a button after the name
        ("By George Ambler", "George Ambler"),
        ("By George Ambler Comments (3)", "George Ambler"),  # a phrase with its count
        ("Written by Jane Smith Topics: Lifestyle, Travel", "Jane Smith"),  # a "<label>: **"
        ("By Jane Smith Filed Under: Politics", "Jane Smith"),
        ("Posted by David Scott on November 05, 2012 | Permalink", "David Scott"),
        # a chrome phrase between separators, whatever its case
        ("By Jane Smith | Leave a comment", "Jane Smith"),
        ("Posted by Becky | View all posts by Becky", "Becky"),
        ("by Heidi Volpe on November 12, 2012 · 1 comment", "Heidi Volpe"),
        ("By Jane Smith | May 5, 2024 | Leave a comment", "Jane Smith"),
        # a button's label glued to the name (a link without a space before it)
        ("By Spencer AckermanEmail Author", "Spencer Ackerman"),
        ("By Jane SmithLeave a Comment", "Jane Smith"),
        ("By Ronald McDonald", "Ronald McDonald"),  # a capital inside a name stays
        ("By JoNel Aleccia", "JoNel Aleccia"),
        # a chrome part is no word of the tail, which a date and a time fill
        (
            "Posted by Jane Smith on November 06, 2012 at 02:33 PM in Lobbying | Permalink",
            "Jane Smith",
        ),
    ],
)
def test_a_chrome_phrase_after_a_name_is_not_part_of_it(line: str, name: str) -> None:
    parsed = bylines.parse_byline(line)
    assert parsed is not None
    assert parsed.name == name


@pytest.mark.parametrize(
    ("line", "name", "published"),
    [
        ("김민수 기자 2025.08.03 14:30", "김민수", ("2025-08-03T14:30",)),
        ("김민수 기자 입력 2025.08.03 14:30", "김민수", ("2025-08-03T14:30",)),
        ("山田太郎記者 2025年8月3日", "山田太郎", ("2025-08-03",)),
    ],
)
def test_a_byline_written_name_first_with_a_date_after_it(
    line: str, name: str, published: tuple[str, ...]
) -> None:
    # The role ends the name, the date follows: the line is the byline, its date the article's.
    text = "\n".join(
        [
            "서울시, 내년 예산 48조 원 편성",
            line,
            "서울시가 내년도 예산을 48조 원 규모로 편성했다고 3일 밝혔다. "
            "이는 올해보다 약 5% 늘어난 규모다.",
        ]
    )
    result = dedup.clean_and_explain(text)
    assert [r.label for r in result.removals] == ["byline"]
    assert result.byline == name
    assert result.published == published


_YEARS = [0, 1, 99, 543, 1278, 1899, 1900, 2024, 2100, 2101, 2568, 9999]


@given(
    st.sampled_from(["", "Monday, ", "Wed ", "vendredi ", "星期三 "]),
    st.integers(0, 13) | st.integers(0, 99),
    st.integers(0, 13) | st.integers(0, 99),
    st.sampled_from(_YEARS) | st.integers(0, 9999),
    st.sampled_from(["/", ".", "-"]),
    st.booleans(),
    st.sampled_from(["", " 14:30", " (Wednesday)"]),
)
@settings(max_examples=500, deadline=None)
def test_find_dates_never_raises_on_numeric_dates(
    before: str, a: int, b: int, year: int, sep: str, year_first: bool, after: str
) -> None:
    # Any numbers in a date's shape (a year 0000, a month 00, a day 99), with a weekday or
    # not: an ISO date or the text as written, never an exception.
    parts = (
        [f"{year:04d}", f"{a:02d}", f"{b:02d}"]
        if year_first
        else [f"{a:02d}", f"{b:02d}", f"{year:04d}"]
    )
    for found in dates.find_dates(before + sep.join(parts) + after):
        assert isinstance(found, str)
        assert found
