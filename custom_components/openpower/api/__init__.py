"""Provider API clients and their shared HTTP machinery.

Nothing in this package imports Home Assistant: it is what core would publish as a library.
"""
