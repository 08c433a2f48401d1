"""Cleaning of scraped news pages with generic, audited rules.

Scraped articles carry page chrome: site icons, "exit mobile version",
comment prompts, "back to top", messenger and social promos, phone numbers,
URLs, image file names, trailing bylines, "related article" teasers, the
article's own link, a writer's contact footer, hidden e-mail placeholders
and inline stylesheets or scripts (HTML character references are decoded,
and recorded too). The
rules here name kinds of chrome, never particular files or outlets. Every
removal is returned as a :class:`Removal` so an analyst can audit it, and the
raw text is always kept beside the clean one.

>>> text, removed = clean_text("Site icon موقع\\n\\nعنوان الخبر\\n\\nنص الخبر هنا.\\n\\nاترك تعليقاً")
>>> text
'عنوان الخبر\\n\\nنص الخبر هنا.'
>>> [r.rule for r in removed]
['site_chrome', 'comment_prompt']
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import NamedTuple

from .text import INVISIBLE_CHARS, PERSIAN_LOOKALIKES

__all__ = ["Removal", "clean_text", "decode_entities", "CHROME_RULES"]


class Removal(NamedTuple):
    """One thing cleaning removed: the rule, the raw line (1-based), the text."""

    rule: str
    line: int
    text: str


def _alt(*words: str) -> str:
    return "(?:" + "|".join(words) + ")"


_A = "[اأإآ]"  # any alef: scraped text is inconsistent about hamza
# Whole-line chrome. Each pattern must match the entire (stripped) line.
CHROME_RULES: dict[str, re.Pattern] = {
    "site_chrome": re.compile(
        r"(?i)^(?:site icon\b.*|exit mobile version|skip to (?:main )?content|"
        r"toggle navigation|main menu|menu|search|close|share(?: this)?(?: article)?|"
        r"print|email|tweet|advertisement|اعلان|إعلان|"
        rf"{_A}لرئيسية|القائمة|بحث|{_A}غلاق|طباعة|مشاركة|"
        r"أرسل لصديق|ارسل لصديق|حجم الخط|تكبير الخط|تصغير الخط)$"
    ),
    "comment_prompt": re.compile(
        rf"^(?:{_A}ضافة تعليق(?: جديد)?|{_A}ضف تعليق(?:ا|اً|ك)?|{_A}ترك تعليق(?:ا|اً|ً)?|"
        r"التعليقات|تعليقات|لا توجد تعليقات|كن أول من يعلق|اكتب تعليقك|"
        r"(?i:leave a (?:comment|reply)|add (?:a )?(?:new )?comment|comments?|\d+ comments?))"
        r"\s*[:.]?$"
    ),
    "back_to_top": re.compile(
        rf"^(?:زر ال(?:ذهاب|عودة|رجوع) {_A}?(?:لى|ل) ?{_A}?لأعلى|(?:ال)?عودة {_A}?(?:لى|ل) ?{_A}?لأعلى|"
        rf"(?:ال)?رجوع {_A}?(?:لى|ل) ?{_A}?لأعلى|{_A}لى {_A}لأعلى|للأعلى|(?i:back to top))$"
    ),
    "image_file": re.compile(r"(?i)^[\w\-. ]+\.(?:jpe?g|png|gif|webp|bmp|tiff?)$"),
    "url": re.compile(r"(?i)^(?:https?://|www\.)\S+$"),
}



def _scoped(pattern: str) -> str:
    """A pattern with a leading global ``(?i)`` as a scoped group, so that it
    can be one branch of an alternation."""
    return "(?i:" + pattern[4:] + ")" if pattern.startswith("(?i)") else pattern


# All line rules in one pattern, tried in CHROME_RULES's order (the first
# branch that matches the whole line wins, as the first rule that matches):
# one match per line instead of one per rule.
_CHROME_LINE = re.compile("|".join(f"(?P<{name}>{_scoped(rx.pattern)})" for name, rx in CHROME_RULES.items()))

# Lines that promote messenger channels or social accounts. A line is promo
# when it asks the reader to follow/subscribe AND names a channel, or when it
# gives a subscription phone number.
_FOLLOW = re.compile(
    rf"(?:تابع(?:وا|ونا|نا)?|{_A}شترك(?:وا)?|{_A}شتراك|للاشتراك|{_A}نضم(?:وا)?|{_A}تصل(?:وا)? ب|"
    r"(?i:follow|subscribe|join))"
)
# Substrings every _FOLLOW match contains: a fast test before the regex.
_FOLLOW_WORDS = ("تابع", "شترك", "شتراك", "نضم", "تصل", "ollow", "OLLOW", "ubscribe", "UBSCRIBE", "oin", "OIN")
_HAS_FOLLOW_WORD = re.compile("|".join(map(re.escape, _FOLLOW_WORDS))).search
_CHANNEL = re.compile(
    r"(?i)(?:تيلي?غرام|تلي?جرام|تلغرام|واتس ?[اأ]ب|واتساب|فيس ?بوك|تويتر|يوتيوب|"
    r"[اإ]نستغرام|[اإ]نستجرام|فايبر|سناب ?شات|تيك ?توك|للتواصل الاجتماعي|"
    r"telegram|whatsapp|facebook|twitter|youtube|instagram|viber|\bvk\b|tiktok|rss)"
)
# Nine or more digits, possibly grouped by spaces or dashes: longer than any
# date or figure in prose (2016-07-04 has eight).
# The pattern starts with \d (and checks what precedes the first digit only
# after it), so the engine jumps from digit to digit instead of trying every
# position of a 37 MB corpus.
_PHONE = re.compile(r"\d(?<![\w.]\d)(?:[ -]?\d){8,14}(?!\w)")
_URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"«»]+")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_IMAGE_INLINE = re.compile(r"(?i)\b[\w\-]+\.(?:jpe?g|png|gif|webp)\b")

# "Related" teaser headings: everything after one at the end of a page is
# another article.
_TEASER = re.compile(
    rf"^(?:{_A}نظر {_A}يض(?:ا|اً|ًا)|{_A}قر{_A} {_A}يض(?:ا|اً|ًا)|{_A}قر{_A} المزيد|"
    r"(?:مواضيع|أخبار|اخبار|مقالات) (?:ذات صلة|متعلقة|مشابهة)|ذات صلة|"
    r"(?i:see also|related(?: articles| posts| news)?|read (?:also|more)|more on this))"
    r"\s*[:.]?$"
)
# Bylines and agency credits that close an article («وكالات», «المصدر: ...»).
_CREDIT = re.compile(
    r"^(?:وكالات|المصدر\s*:.*|مصدر\s*:.*|(?:ال)?وكالات\s*[-–]\s*.*|رويترز|"
    r"[اأ] ?ف ?ب|سانا|(?i:source\s*:.*|agencies|reuters|afp))$"
)
# What a scraper keeps of an address the page hid from it (Cloudflare's e-mail
# protection): a placeholder and the empty script comment after it.
_EMAIL_PLACEHOLDER = re.compile(r"(?i)\[email[\s\u00a0]*protected\](?:\s*/\*[^*\n]{0,40}\*/)?")
# Chrome that runs from a marker to the end of the page, inline or over its
# last lines: (rule, marker, a string every marker contains (a fast test first),
# the most characters from the marker to the end, whether it may span lines).
# «برابط المقال الذي نشر …» in prose is no such marker (it must start a word).
_TRAILERS = (
    # the article's own link, its address gone: «رابط الخبر بصحيفة …: العنوان»
    ("source_link", re.compile(r"(?:^|(?<=\s))رابط (?:الخبر|المقال|الموضوع|التقرير)(?: [^:\n.؟!]{0,60})?\s*:"),
     "رابط ", 300, False),
    # a column's footer: «للتواصل مع الكاتب ارسل رسالة SMS … - Stc … - Mobily»
    # (its «للتواصل» or a handle cut by the scraper: «تويتر: @ مع الكاتب ارسل …»)
    ("author_contact", re.compile(r"(?:^|(?<=\s))(?:(?:تويتر|تويتير)\s*:\s*@?\s*)?"
                                  r"(?:لل?تواصل مع (?:الكاتب|الكاتبة|المحرر)|مع (?:الكاتب|الكاتبة) [اأ]رسل)"),
     "مع ال", 300, True),
    # «مقالات أخرى للكاتب» and the run-together headlines of the writer's other columns
    ("related_teaser", re.compile(r"(?:^|(?<=\s))(?:مقالات|مواضيع) [اأ]خرى (?:للكاتب|للكاتبة)"), "خرى لل", 600, True),
)
# Page code a scraper kept as text: an inline stylesheet or script (a poll
# widget's CSS rules and jQuery) run into the article. A run starts at a CSS
# rule («#vote_area2 ul {») or a script statement («jQuery(», «var x»), and
# ends where Arabic prose resumes outside any bracket (see _code_end). Only a
# run that reads as code is cut (_is_code): braces alone are not code, since
# Arabic text often has them (Qur'anic verses, «{الشرق الأوسط}»).
# A compound selector («div.box», «input[type=radio]», «a:hover»), and selectors
# joined by a combinator or a space (each part starts at «#», «.» or a letter
# after a separator, so a word is never split two ways: no backtracking).
_SELECTOR = r"[#.]?[A-Za-z_][\w-]*(?:[#.][A-Za-z_][\w-]*)*(?:\[[^\]\n]{0,40}\])?(?::{1,2}[A-Za-z-]+)?"
_CODE_START = re.compile(
    rf"(?a)(?<![\w#.-])(?:{_SELECTOR}(?:(?:[ \t]*[>+~,][ \t]*|[ \t]+){_SELECTOR})*[ \t]*\{{"
    r"|(?:jQuery|document|window)[.(]|(?:var|let|const|function)[ (])"
)
# Arabic-script letters (not punctuation, digits or marks), presentation forms included.
_ARABIC_LETTER = re.compile(
    "[\u0621-\u063a\u0641-\u064a\u066e-\u066f\u0671-\u06d3\u06d5\u06ee-\u06ef\u06fa-\u06fc\u06ff"
    "\u0750-\u077f\u08a0-\u08c9\ufb50-\ufbb1\ufbd3-\ufd3d\ufd50-\ufdfb\ufe70-\ufefc]"
)
_LATIN_LETTERS = re.compile("[A-Za-z]")
# What prose does not write: a declaration in a CSS rule («{ padding: 0;»), a
# function body («) {») or a method call («.html(»).
_CODE_SIGN = re.compile(r"\{[^{}]*?[A-Za-z-]+\s*:[^;{}]*;|\)\s*\{|\.[A-Za-z_]\w*\(")
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")


def _code_end(text: str, i: int) -> tuple[int, int]:
    """End of the run of code starting at ``i``: after its last «}» or «;» outside
    any bracket, before Arabic prose resumes there (0: nothing closed); and
    where the scan stopped."""
    depth = end = 0
    quote = ""
    n = len(text)
    while i < n:
        c = text[i]
        if quote:  # a script's string: «'انتظر لحظات…'» is not prose
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c in "{([":
            depth += 1
        elif c in "})]":
            depth -= 1
            if depth < 0:
                break
            if depth == 0 and c == "}":
                end = i + 1
        elif c == ";" and depth == 0:
            end = i + 1
        elif depth == 0 and _ARABIC_LETTER.match(c):
            break
        i += 1
    return end, i


def _is_code(span: str) -> bool:
    """A run of CSS or script, not prose with a brace or a semicolon: a block
    in braces and two statements or declarations at least, code's punctuation
    dense (one character in twelve; English prose has far fewer), a sign of
    code (``_CODE_SIGN``) and hardly an Arabic letter outside its strings
    («'انتظر لحظات…'» is a script's)."""
    if len(span) < 40 or span.count(";") < 2 or "{" not in span or "}" not in span:
        return False
    if sum(map(span.count, "{}();:=")) * 12 < len(span) or not _CODE_SIGN.search(span):
        return False
    bare = _QUOTED.sub("", span)
    arabic = len(_ARABIC_LETTER.findall(bare))
    return arabic * 10 < arabic + len(_LATIN_LETTERS.findall(bare))


def _cut_code(text: str) -> tuple[str, list[str]]:
    """``text`` without its runs of page code, and the runs cut."""
    found: list[str] = []
    at, parts, kept_to = 0, [], 0
    while m := _CODE_START.search(text, at):
        end, stop = _code_end(text, m.start())
        if end and _is_code(text[m.start() : end]):
            found.append(text[m.start() : end])
            parts.append(text[kept_to : m.start()])
            kept_to = at = end
        else:  # not code: go on after what was scanned (each character is scanned once)
            at = max(m.end(), stop)
    if not found:
        return text, found
    parts.append(text[kept_to:])
    return _squeeze(" ".join(parts)), found


_INLINE = (("url", _URL), ("email", _EMAIL), ("email_placeholder", _EMAIL_PLACEHOLDER), ("phone", _PHONE),
           ("image_file", _IMAGE_INLINE))
# Cheap tests that rule a pattern out before the full (slower) pattern runs.
_HINTS = {
    "url": lambda t: "://" in t or "www." in t,
    "email": lambda t: "@" in t,
    # («]» first: one scan of a character rules out most texts, three of a word would not)
    "email_placeholder": lambda t: "]" in t and ("protected]" in t or "PROTECTED]" in t or "Protected]" in t),
    # No test for "phone": its pattern alone is as fast as any test that is
    # sound. «\d\d\d» was not: it missed numbers written in pairs
    # («05 22 12 34 56», «05-51-23-45-67»), which the pattern accepts.
    "image_file": re.compile(r"(?i)\.(?:jpe?g|png|gif|webp)\b").search,
}
_PATTERNS = dict(_INLINE)
MAX_CHROME_LINE = 300  # characters; page chrome is never longer


def _has(text: str, rule: str) -> bool:
    """Whether ``text`` contains an item of an inline ``rule``."""
    hint = _HINTS.get(rule)
    return bool((hint is None or hint(text)) and _PATTERNS[rule].search(text))


_INVISIBLE = re.compile("[" + re.escape(INVISIBLE_CHARS) + "]")


# Chrome written in presentation forms (PDF and some CMS exports) or with
# Persian/Urdu look-alike letters is still chrome: lines are matched on a
# folded copy (NFKC, look-alikes mapped); the text kept is the line as written.
_NEEDS_FOLD = re.compile("[\ufb50-\ufdff\ufe70-\ufefc" + "".join(PERSIAN_LOOKALIKES) + "]")
_LOOKALIKES = str.maketrans(PERSIAN_LOOKALIKES)
# Either kind of rare character: one scan of an article rules both out.
_RARE = re.compile("[" + re.escape(INVISIBLE_CHARS) + _NEEDS_FOLD.pattern[1:-1] + "]")


def _fold(line: str) -> str:
    return unicodedata.normalize("NFKC", line).translate(_LOOKALIKES)


# A well-formed HTML character reference: named («&quot;»), decimal or hex,
# with its semicolon (a bare «&» or «&copy» without one is left as written).
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def decode_entities(text: str) -> tuple[str, list[str]]:
    """``text`` with its HTML character references decoded, and the references
    decoded, in order. Scraped exports often keep them («لـ&quot;سبق&quot;»);
    a name HTML does not know is left as written, and a decoded line break
    becomes a space (lines keep their numbers).

    >>> decode_entities("قال لـ&quot;سبق&quot; &#8220;نعم&#8221; AT&T &foo;")
    ('قال لـ"سبق" “نعم” AT&T &foo;', ['&quot;', '&quot;', '&#8220;', '&#8221;'])
    """
    if "&" not in text:
        return text, []
    found: list[str] = []

    def one(m: re.Match) -> str:
        char = html.unescape(m.group())
        if char == m.group():
            return char
        found.append(m.group())
        return char.replace("\r", " ").replace("\n", " ")

    return _ENTITY.sub(one, text), found


def _cut_trailers(kept: list[tuple[int, str]], removed: list[Removal]) -> list[tuple[int, str]]:
    """``kept`` without the chrome of :data:`_TRAILERS` at its end (recorded in
    ``removed``). A record that is nothing else (a headline and its link) is
    left with no text, and skipped as such."""
    cut = True
    while cut and kept:
        cut = False
        for rule, marker, hint, longest, spans in _TRAILERS:
            after = 0  # characters on the lines below this one
            last = len(kept) - 1
            for j in range(last, -1 if spans else last - 1, -1):
                number, text = kept[j]
                budget = longest - after
                if budget <= 0:
                    break
                # Only the line's last ``budget`` characters can hold the marker: a
                # search of a few hundred characters, however long the article.
                start = max(0, len(text) - budget)
                m = marker.search(text, start) if text.find(hint, start) >= 0 else None
                if m is None:
                    after += len(text)
                    continue
                removed.extend([Removal(rule, number, text[m.start():]),
                                *(Removal(rule, n, t) for n, t in kept[j + 1 :])])
                text = text[: m.start()].rstrip()
                kept = kept[:j] + ([(number, text)] if text else [])
                cut = True
                break
    return kept


def _squeeze(line: str) -> str:
    """Runs of white space (tabs, no-break and other Unicode spaces) to one space."""
    # Most lines need at most their end spaces cut: a printable line has no
    # white space but " ", and splitting every line into words costs a third
    # of cleaning.
    trimmed = line.strip(" ")
    if trimmed.isprintable() and "  " not in trimmed:
        return trimmed
    return " ".join(line.split())


def _site_names(lines: list[str]) -> set[str]:
    """Site names announced by chrome such as "Site icon <name>"."""
    names = set()
    for line in lines:
        m = re.match(r"(?i)^site icon\s+(.+)$", line.strip())
        if m:
            names.add(m.group(1).strip())
    return names


def clean_text(raw: str) -> tuple[str, list[Removal]]:
    """Remove page chrome from one scraped article.

    Returns the clean text (paragraphs separated by blank lines) and the list
    of removals. Whole chrome lines are dropped; URLs, e-mail addresses, phone
    numbers, image file names and invisible characters (bidi controls,
    zero-width characters, BOM) are cut out of the lines that stay.
    """
    return _clean_text(raw, _RARE.search(raw) is not None)


def _clean_text(raw: str, rare: bool) -> tuple[str, list[Removal]]:
    """:func:`clean_text`, told whether ``raw`` has a character of ``_RARE``
    (the loader learns that from the scan it makes anyway)."""
    removed: list[Removal] = []
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    lines = raw.split("\n")
    if "&" in raw and _ENTITY.search(raw):  # decoded first: «&nbsp;» or «&#8203;» is then what it stands for
        for i, line in enumerate(lines):
            lines[i], found = decode_entities(line)
            if found:
                removed.append(Removal("html_entity", i + 1, " ".join(found)))
        raw = "\n".join(lines)
        rare = rare or _RARE.search(raw) is not None
    # «con»/«CON» is in "icon", "Icon" and "ICON": two scans instead of three
    sites = _site_names(lines) if "con" in raw or "CON" in raw else set()
    # Each test runs once on the whole article; lines are only searched for
    # what the article is known to contain.
    invisible = rare and _INVISIBLE.search(raw) is not None
    inline = [(rule, rx) for rule, rx in _INLINE if _has(raw, rule)]
    fold = _fold if rare and _NEEDS_FOLD.search(raw) else str

    kept: list[tuple[int, str]] = []  # (1-based raw line number, text)
    for number, line in enumerate(lines, 1):
        if invisible and _INVISIBLE.search(line):
            removed.append(Removal("invisible", number, "".join(_INVISIBLE.findall(line))))
            line = _INVISIBLE.sub("", line)
        text = _squeeze(line)
        if not text:
            continue
        # Chrome lines are short; long lines are prose and skip the line rules.
        rule = None
        if len(text) <= MAX_CHROME_LINE:
            probe = fold(text)
            m = _CHROME_LINE.match(probe)
            rule = m.lastgroup if m else None
            if (
                rule is None
                and _HAS_FOLLOW_WORD(probe)
                and _FOLLOW.search(probe)
                and (_CHANNEL.search(probe) or _has(probe, "phone"))
            ):
                rule = "social_promo"
        if rule is None and sites and text.rstrip(" :") in sites:
            rule = "site_signature"
        if rule:
            removed.append(Removal(rule, number, text))
            continue
        kept.append((number, text))

    # A teaser heading ends the article when what follows it is shorter than
    # what precedes it; only the heading and one teaser line go otherwise.
    for i, (_, text) in enumerate(kept):
        if i and _TEASER.match(fold(text)):
            before = sum(len(t) for _, t in kept[:i])
            after = sum(len(t) for _, t in kept[i + 1 :])
            end = len(kept) if after <= before else min(i + 2, len(kept))
            removed.extend(Removal("related_teaser", n, t) for n, t in kept[i:end])
            kept = kept[:i] + kept[end:]
            break

    # Trailing bylines and credits: short lines at the very end.
    while len(kept) > 1 and _CREDIT.match(fold(kept[-1][1])):
        number, text = kept.pop()
        removed.append(Removal("credit", number, text))

    kept = _cut_trailers(kept, removed)

    # Page code: a brace and a semicolon somewhere, and a CSS rule or script statement.
    code = "{" in raw and ";" in raw and _CODE_START.search(raw) is not None
    out: list[str] = []
    for number, text in kept:
        if code and ";" in text:
            text, found = _cut_code(text)
            removed.extend(Removal("page_code", number, span) for span in found)
        for rule, rx in inline:
            if _has(text, rule):
                removed.extend(Removal(rule, number, m.group()) for m in rx.finditer(text))
                text = _squeeze(rx.sub(" ", text))
        if text:
            out.append(text)
    removed.sort(key=lambda r: r.line)
    return "\n\n".join(out), removed
