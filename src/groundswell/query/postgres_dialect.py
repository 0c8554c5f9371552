"""What the metrics' ibis expressions need from PostgreSQL that ibis's postgres compiler does not give as is.

The expressions are written once for every engine (DuckDB, Spark, PostgreSQL); two things read differently
on PostgreSQL, and are translated here, on that engine's compiler only, so results elsewhere never change:

- Regular expressions are written as Python/RE2/Java read them. PostgreSQL's AREs read ``\\b`` as a
  backspace (a word boundary is ``\\y``), and take embedded options such as ``(?i)`` only at the very start
  of the pattern, where ibis's ``re_extract`` puts a group around the whole pattern first.
- An empty array literal (``ibis.literal([], type="array<string>")``) needs its type spelled out.
- A boolean cast to a 64-bit integer (``flag.cast("int64").sum()``, used to count): PostgreSQL casts a
  boolean to ``integer`` only, so it goes through that.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import sqlglot.expressions as sge
from ibis.backends.sql.compilers.postgres import PostgresCompiler

_OPTIONS = re.compile(r"^\(\?([a-zA-Z]+)\)")


def postgres_regex(pattern: str) -> str:
    """A Python/RE2 regular expression as a PostgreSQL ARE: word boundaries (``\\b``, ``\\B``) outside
    bracket expressions become ``\\y`` and ``\\Y``; everything else is the same in both."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            if not in_class and escaped in "bB":
                out.append("\\y" if escaped == "b" else "\\Y")
            else:
                out.append(char + escaped)
            i += 2
            continue
        if in_class:
            if char == "]" and not (out and out[-1] in ("[", "[^")):
                in_class = False
            out.append(char)
        elif char == "[":
            in_class = True
            if pattern.startswith("[^", i):
                out.append("[^")
                i += 2
                continue
            out.append(char)
        else:
            out.append(char)
        i += 1
    return "".join(out)


def _literal_pattern(pattern: Any) -> str | None:
    if isinstance(pattern, sge.Literal) and pattern.is_string:
        return str(pattern.this)
    return None


class GroundswellPostgresCompiler(PostgresCompiler):  # type: ignore[misc]
    """ibis's postgres compiler with the translations above."""

    SIMPLE_OPS: ClassVar[dict[type[ops.Node], str]] = {
        op: name for op, name in PostgresCompiler.SIMPLE_OPS.items() if op is not ops.RegexSearch
    }

    def _pattern(self, pattern: Any) -> Any:
        found = _literal_pattern(pattern)
        return sge.convert(postgres_regex(found)) if found is not None else pattern

    def visit_RegexSearch(self, op: Any, *, arg: Any, pattern: Any) -> Any:
        return self.f.regexp_like(arg, self._pattern(pattern))

    def visit_RegexReplace(self, op: Any, *, arg: Any, pattern: Any, replacement: Any) -> Any:
        return super().visit_RegexReplace(op, arg=arg, pattern=self._pattern(pattern), replacement=replacement)

    def visit_RegexExtract(self, op: Any, *, arg: Any, pattern: Any, index: Any) -> Any:
        found = _literal_pattern(pattern)
        if found is None:
            return super().visit_RegexExtract(op, arg=arg, pattern=pattern, index=index)
        found = postgres_regex(found)
        options = _OPTIONS.match(found)
        prefix = options.group(0) if options else ""
        # ibis groups the whole pattern (group 0 as group 1 of regexp_match): the options must stay in front
        body = found[len(prefix) :]
        wrapped = sge.convert(f"{prefix}({body})")
        matches = self.f.regexp_match(arg, wrapped)
        return self.if_(
            self.f.regexp_like(arg, wrapped),
            sge.paren(matches, copy=False)[index],
            sge.Null(),
        )

    def visit_NonNullLiteral(self, op: Any, *, value: Any, dtype: Any) -> Any:
        if dtype.is_array() and len(value) == 0:  # PostgreSQL cannot type a bare ARRAY[]
            return self.cast(sge.Array(expressions=[]), dtype)
        return super().visit_NonNullLiteral(op, value=value, dtype=dtype)

    def visit_Cast(self, op: Any, *, arg: Any, to: Any) -> Any:
        if op.arg.dtype.is_boolean() and to.is_integer() and not to.is_int32():
            arg = self.cast(arg, dt.int32)
        return super().visit_Cast(op, arg=arg, to=to)


def use_groundswell_compiler(backend: Any) -> Any:
    """``backend`` (ibis's postgres backend) compiling with ``GroundswellPostgresCompiler``."""
    backend.compiler = GroundswellPostgresCompiler()
    return backend
