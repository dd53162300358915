"""What each chapter shows, computed as data: the tables (with human labels and units),
the figures' inputs and the numbers a chapter's markdown quotes through `glue`.

A chapter notebook stays a document to read: it calls one function here per table or
finding and words the result itself. One module per chapter that needs more than a
call or two into the rest of the package.
"""


def counted(n: int, noun: str) -> str:
    """'1 epoch', '3 epochs': a glued count with its noun in the right number, since the
    sentence around it is written once for every count."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
