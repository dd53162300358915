"""Author–year labels in the bibliography, matching the author–year citations in the text
(sphinxcontrib-bibtex's own styles label entries [1] or [HZRS16])."""

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle


def _last(person) -> str:
    return Text.from_latex(" ".join(person.last_names)).render_as("text")


def author_year_label(entry) -> str:
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    if not persons:
        names = entry.fields.get("title", "?")
    elif len(persons) == 1:
        names = _last(persons[0])
    elif len(persons) == 2:
        names = f"{_last(persons[0])} and {_last(persons[1])}"
    else:
        names = f"{_last(persons[0])} et al."
    return f"{names}, {entry.fields.get('year', 'undated')}"


class AuthorYearLabelStyle(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            yield author_year_label(entry)


class AuthorYearStyle(UnsrtStyle):
    default_label_style = "ecgpaper_author_year"
    default_sorting_style = "author_year_title"


register_plugin("pybtex.style.labels", "ecgpaper_author_year", AuthorYearLabelStyle)
register_plugin("pybtex.style.formatting", "ecgpaper_author_year", AuthorYearStyle)


def setup(app):
    return {"parallel_read_safe": True, "parallel_write_safe": True}
