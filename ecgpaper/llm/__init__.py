"""The LLM-vision comparison: show a general vision-language model the same 12-lead ECGs
the networks classify, as images in the clinical layout, and score its answers.

render (PNG images) -> sample (which test records) -> prompt (what is sent) -> client
(an OpenAI-compatible endpoint) -> cache (every answer on disk) -> parse -> score.
`ecgpaper llm run` fills the cache; the book's chapter and `ecgpaper llm score` read it.
"""
