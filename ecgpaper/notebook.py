"""Small helpers every chapter notebook uses: rebuild the profile from papermill
parameters, say once and plainly where the numbers come from, glue values for the prose
pages, and show figures and tables with a number and a caption.

Figures go through `show_figure`: the figure is glued under a name and shown with a
`{glue:figure}` directive, so the book numbers it ("Fig. 4.2"), prints its caption and
lets any page refer to it with {numref}`name`. Tables go through `show_table`: the table
is presented for reading (`ecgpaper.report.present`) and shown as a numbered, captioned
MyST table.
"""

from __future__ import annotations

from .profiles import Profile, get_profile

# Matplotlib settings that keep labels readable once a figure is scaled to the text
# column (about 8 inches at 100 dpi).
FIGURE_STYLE = {
    "figure.dpi": 100, "savefig.dpi": 100, "font.size": 11, "axes.titlesize": 11,
    "axes.labelsize": 11, "xtick.labelsize": 10, "ytick.labelsize": 10,
    "legend.fontsize": 9.5, "figure.titlesize": 12,
}


def setup(profile: str = "demo", overrides: dict | None = None, banner: bool = True,
          own_note: bool = False) -> Profile:
    """Rebuild the run's `Profile` from the notebook's parameters, set the figure style
    and show the data banner (pages that use no data pass `banner=False`).

    A page that shows real and synthetic data side by side passes `own_note=True`: the
    default banner ("every number ... synthetic") would be false there, so the page
    writes its own note in markdown, saying per table and figure where its data come
    from, with the phrases glued here (`glue_data_source`)."""
    import matplotlib.pyplot as plt
    plt.rcParams.update(FIGURE_STYLE)
    settings = get_profile(profile, **(overrides or {}))
    if own_note:
        glue_data_source(settings)
    elif banner:
        show_data_banner(settings)
    return settings


def data_banner_text(p: Profile) -> str:
    if p.is_synthetic:
        return (f"**Synthetic data.** Every number on this page was computed on the "
                f"synthetic Chapman twin (profile `{p.name}`, {p.twin_records:,} records, "
                f"seed {p.seed}), not on the real database. The paper's reported figures "
                f"are shown beside ours for orientation only; a difference between the two "
                f"compares synthetic with real data.")
    return (f"**Real data.** Numbers on this page were computed on the Chapman-Shaoxing "
            f"database ({p.data_source}, profile `{p.name}`, seed {p.seed}).")


def data_kind(p: Profile) -> str:
    """The note's first words: whether the active profile's data are synthetic."""
    return "Synthetic data." if p.is_synthetic else "Real data."


def data_source(p: Profile) -> str:
    """Where the active profile's records come from, as a phrase for a page's own note."""
    if p.is_synthetic:
        return (f"the synthetic Chapman twin (profile {p.name}, {p.twin_records:,} records, "
                f"seed {p.seed}), not real patients")
    return f"the Chapman–Shaoxing database ({p.data_source}, profile {p.name})"


def glue_data_source(p: Profile) -> None:
    """Glue `page_data_kind` and `page_data_source` for a page's own data note."""
    glue("page_data_kind", data_kind(p))
    glue("page_data_source", data_source(p))


def show_data_banner(p: Profile) -> None:
    from IPython.display import Markdown, display
    display(Markdown("```{note}\n" + data_banner_text(p) + "\n```"))


def difference_label(p: Profile) -> str:
    """Column label for ours minus the paper: says 'synthetic vs real' on the twin."""
    return "ours − paper (synthetic vs real)" if p.is_synthetic else "ours − paper"


def glue(name: str, value, display: bool = False) -> None:
    """Glue a value for `{glue:}` roles in the prose pages (myst-nb).

    A numpy scalar is glued as the Python number it holds: `{glue:text}` reads the
    value back from its repr, and `np.float64(0.5)` would not format as `:.3f`. Returns
    None, so a cell that ends on a glue shows nothing."""
    from myst_nb import glue as _glue
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        value = value.item()
    _glue(name, value, display=display)


def glue_all(values: dict, *prefixes: str) -> None:
    """Glue every value of `values` under its name, once per prefix (none: the bare name).

    A notebook executed once per configuration quotes the bare names in its markdown
    and glues prefixed copies (`exp2_accuracy`) for other pages to cite."""
    for prefix in prefixes or ("",):
        for name, value in values.items():
            glue(prefix + name, value)


def show_figure(fig, name: str, caption: str, width: str | None = None) -> None:
    """Glue `fig` as `name` and show it as a numbered figure with `caption`.

    `name` is also the figure's label for {numref}; use letters, digits and hyphens."""
    import matplotlib.pyplot as plt
    from IPython.display import Markdown, display
    glue(name, fig, display=False)
    plt.close(fig)
    options = f":name: {name}\n" + (f":width: {width}\n" if width else "")
    display(Markdown(f"```{{glue:figure}} {name}\n{options}\n{caption}\n```"))


def show_table(df, caption: str, name: str | None = None, digits: int = 3,
               presented: bool = False, wide: bool = False,
               collapsed: str | None = None) -> None:
    """Show a table for reading, numbered and captioned; `name` labels it for {numref}.

    `presented=True` when `df` already went through `ecgpaper.report.present`. A long
    table that the page has summarised passes `collapsed` (the title of a closed
    dropdown the reader opens to see it)."""
    from IPython.display import Markdown, display

    from .report import table_directive
    text = table_directive(df, caption, name, digits, present_first=not presented, wide=wide)
    display(Markdown(collapsed_block(text, collapsed) if collapsed else text))


def collapsed_block(text: str, title: str) -> str:
    """MyST for `text` inside a closed dropdown titled `title`; the fence is one colon
    longer than any colon fence inside `text`, so the two cannot close each other."""
    import re
    inner = max((len(m) for m in re.findall(r"^(:{3,})", text, flags=re.M)), default=2)
    fence = ":" * max(3, inner + 1)
    return f"{fence}{{dropdown}} {title}\n{text}\n{fence}"


def show_image(png: bytes, name: str, caption: str, width: str = "100%") -> None:
    """A PNG exactly as it is (not a redrawn plot) as a numbered figure: pages that show
    what was sent somewhere, byte for byte, use it."""
    from IPython.display import Image, Markdown, display
    glue(name, Image(data=png, format="png"), display=False)
    display(Markdown(f"```{{glue:figure}} {name}\n:name: {name}\n:width: {width}\n\n"
                     f"{caption}\n```"))


def say(text: str) -> None:
    """Show a computed sentence or paragraph as markdown."""
    from IPython.display import Markdown, display
    display(Markdown(text))
