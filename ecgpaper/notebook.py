"""Small helpers every chapter notebook uses: rebuild the profile from papermill
parameters, say once and plainly where the numbers come from, and glue values for the
prose pages."""

from __future__ import annotations

from .profiles import Profile, get_profile


def setup(profile: str = "demo", overrides: dict | None = None, banner: bool = True) -> Profile:
    """Rebuild the run's `Profile` from the notebook's parameters and show the data banner."""
    p = get_profile(profile, **(overrides or {}))
    if banner:
        show_data_banner(p)
    return p


def data_banner_text(p: Profile) -> str:
    if p.is_synthetic:
        return (f"**Synthetic data.** Every number on this page was computed on the "
                f"synthetic Chapman twin (profile `{p.name}`, {p.twin_records} records, seed "
                f"{p.seed}), not on the real database; the paper's reported figures are "
                f"shown beside ours for orientation only.")
    return (f"**Real data.** Numbers on this page were computed on the Chapman-Shaoxing "
            f"database ({p.data_source}, profile `{p.name}`, seed {p.seed}).")


def show_data_banner(p: Profile) -> None:
    from IPython.display import Markdown, display
    display(Markdown("```{note}\n" + data_banner_text(p) + "\n```"))


def glue(name: str, value, display: bool = False):
    """Glue a value for `{glue:}` roles in the prose pages (myst-nb)."""
    from myst_nb import glue as _glue
    _glue(name, value, display=display)
    return value
