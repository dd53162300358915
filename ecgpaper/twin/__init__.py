"""The synthetic Chapman twin: Diagnostics-shaped rows (`metadata`), dipole beats (`beats`)
in each rhythm (`rhythms`) with recording noise (`noise`), assembled into records
(`generator`), written in the figshare layout (`writer`) and compared with the real
database (`quality`)."""
