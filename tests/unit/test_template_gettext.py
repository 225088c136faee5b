"""The templates' gettext keeps each translated message without variables (app/templating.py, issue 13): what
a template shows must be exactly what Jinja's own newstyle gettext gives, in every language, escaped alike."""

from __future__ import annotations

import pytest
from jinja2 import Environment

from app import i18n
from app.templating import jinja_environment

SOURCE = ('{{ _("Present") }}|{{ _("Unexcused absence") }}|{{ _("a <b>%(n)s</b>", n="<x>") }}|{{ _("100%%") }}|'
          '{% trans %}Sign in{% endtrans %}|{% trans n=3 %}{{ n }} days{% endtrans %}|{{ _("Present") }}|'
          # ngettext and plural trans blocks, and calls inside a loop (where Jinja derives a context for a
          # function that takes one: ours take the evaluation context instead, with the same result)
          '{% for n in [1, 2] %}{{ ngettext("%(num)d day", "%(num)d days", n) }}/'
          '{{ ngettext("<%(num)d> of %(what)s", "<%(num)d> of %(what)s", n, what="<y>") }}/'
          '{{ _("Period %(period)s", period=n) }}/{{ _("Tardy") }}/'
          '{% trans count=n %}{{ count }} class{% pluralize %}{{ count }} classes{% endtrans %};{% endfor %}')


def jinjas_own(autoescape: bool) -> Environment:
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=autoescape)
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)
    return env


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("autoescape", [True, False])
def test_the_same_words_as_jinjas_own_gettext(language, autoescape):
    ours = jinja_environment().from_string(("{% autoescape true %}" if autoescape else "{% autoescape false %}")
                                           + SOURCE + "{% endautoescape %}")
    with i18n.using_language(language):
        expected = jinjas_own(autoescape).from_string(SOURCE).render()
        assert ours.render() == expected
        assert ours.render() == expected  # the second time from what was kept
    if autoescape:
        assert "&lt;x&gt;" in expected and "<b>" in expected
    if language == "es":
        assert "Presente" in expected


def test_a_message_kept_in_one_language_is_not_shown_in_another():
    template = jinja_environment().from_string('{{ _("Present") }}')
    with i18n.using_language("es"):
        assert template.render() == "Presente"
    with i18n.using_language("en"):
        assert template.render() == "Present"
