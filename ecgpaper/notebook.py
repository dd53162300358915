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


def setup(profile: str = "demo", overrides: dict | None = None, banner: bool = True) -> Profile:
    """Rebuild the run's `Profile` from the notebook's parameters, set the figure style
    and show the data banner (pages that use no data pass `banner=False`)."""
    import matplotlib.pyplot as plt
    plt.rcParams.update(FIGURE_STYLE)
    settings = get_profile(profile, **(overrides or {}))
    if banner:
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


def show_data_banner(p: Profile) -> None:
    from IPython.display import Markdown, display
    display(Markdown("```{note}\n" + data_banner_text(p) + "\n```"))


def difference_label(p: Profile) -> str:
    """Column label for ours minus the paper: says 'synthetic vs real' on the twin."""
    return "ours − paper (synthetic vs real)" if p.is_synthetic else "ours − paper"


def glue(name: str, value, display: bool = False):
    """Glue a value for `{glue:}` roles in the prose pages (myst-nb)."""
    from myst_nb import glue as _glue
    _glue(name, value, display=display)
    return value


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
               presented: bool = False, wide: bool = False) -> None:
    """Show a table for reading, numbered and captioned; `name` labels it for {numref}.

    `presented=True` when `df` already went through `ecgpaper.report.present`."""
    from IPython.display import Markdown, display

    from .report import table_directive
    display(Markdown(table_directive(df, caption, name, digits, present_first=not presented,
                                     wide=wide)))


def say(text: str) -> None:
    """Show a computed sentence or paragraph as markdown."""
    from IPython.display import Markdown, display
    display(Markdown(text))
