"""SIS and family text written inside the portal's words is kept in its own direction (app/rules/bidi.py)."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from app.i18n import using_language
from app.rules.bidi import isolated
from app.templating import jinja_environment

FSI, PDI = "\u2068", "\u2069"


@pytest.mark.parametrize("value", ["\u202eMath", "Math \u202b2", "\u2067x", "שלום", "مرحبا", "ܫܠܡܐ", "Ana \u200f",
                                   "𐤀 Phoenician"])
def test_right_to_left_text_and_directional_controls_are_isolated(value):
    assert isolated(value) == FSI + value + PDI


@pytest.mark.parametrize("value", ["Math", "José Ñúñez", "Ψ Греческий", "学校", "", "O'Brien & Co", 12, None,
                                   Markup("<b>שלום</b>")])
def test_everything_else_is_given_back_as_it_was(value):
    assert isolated(value) is value


def test_a_message_isolates_its_variables_in_pages_and_plain_text():
    env = jinja_environment()
    with using_language("en"):
        page = env.from_string('<p>{{ _("Period %(period)s", period=p) }}</p>').render(p="\u202e2 room")
        assert page == f"<p>Period {FSI}\u202e2 room{PDI}</p>"
        assert env.from_string('{{ "<" ~ x|isolated }}').render(x="מ<") == f"&lt;{FSI}מ&lt;{PDI}"
        count = env.from_string('{{ ngettext("%(num)d day in %(term)s", "%(num)d days in %(term)s", 2, term=t) }}')
        assert count.render(t="רבעון") == f"2 days in {FSI}רבעון{PDI}"


def test_directional_controls_are_taken_out_and_marks_and_letters_kept():
    from app.rules.bidi import without_directional_controls

    assert without_directional_controls("Art \u202e1 doireP") == "Art 1 doireP"
    assert without_directional_controls("\u2067שלום\u2069 \u202a\u202b\u202c\u202d") == "שלום "
    kept = "שלום\u200f 12 \u061cمرحبا José"
    assert without_directional_controls(kept) == kept
    assert without_directional_controls("plain") == "plain"


def test_an_ed_fi_string_field_loses_them_with_a_warning():
    from app.importers.edfi_fields import Fields
    from app.importers.problems import ImportReport

    report = ImportReport()
    fields = Fields(report, "sections.json", 3, {"sectionName": " \u202eMath 7 ", "room": "B\u200f12"})
    assert fields.text("sectionName") == "Math 7" and fields.text("room") == "B\u200f12" and fields.ok
    assert any("sectionName" in line and "change the direction of text" in line for line in report.lines())


def test_what_is_typed_in_a_form_keeps_its_lines_and_loses_controls():
    from app.rules.bidi import as_typed_text

    assert as_typed_text("Flu\r\n\tsince Monday") == "Flu\r\n\tsince Monday"
    assert as_typed_text("a\x1b[31mb\x07c\x7fd\x9be\u202ef") == "a[31mbcdef"
    assert as_typed_text("one\u2028two\u2029three") == "one\ntwo\nthree"
    assert as_typed_text("Jose\u0301 Mun\u0303oz") == "José Muñoz"
    assert as_typed_text("ليلى ✓ 👨‍👩‍👧 नमस्ते") == "ليلى ✓ 👨‍👩‍👧 नमस्ते"
