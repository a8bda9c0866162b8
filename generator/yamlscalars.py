"""The one scalar type the loader hands to the models.

A plain (unquoted) YAML scalar stays text as written: `NO`, `1.10`, `01234` and `1:20` are never
turned into booleans or numbers behind the contributor's back. Only a model field typed bool or
int converts it, and only from its YAML 1.2 core spelling.
"""


class PlainScalar(str):
    """Text of an unquoted YAML scalar, kept verbatim."""

    __slots__ = ()
