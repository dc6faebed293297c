"""The markdown content pipeline: load -> validate -> render (publishing it: :mod:`lms.publishing`).

Nothing here knows about HTTP. Loading returns plain data and a list of
:class:`~lms.content.problems.Problem`, each with a path, a line and a message.
"""
